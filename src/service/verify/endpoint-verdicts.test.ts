import { describe, expect, it } from 'vitest';
import type { CompiledCatalog } from '../../core/catalog/index.js';
import { EndpointVerdicts } from './endpoint-verdicts.js';

// Only its identity matters here: verdicts are kept per catalog object.
const catalog = {} as CompiledCatalog;

describe('EndpointVerdicts', () => {
  it('finds a verdict by method and path, each exactly', () => {
    const v = new EndpointVerdicts<string>(catalog);
    v.remember('POST', '/sms/2/text/advanced', 'allowed');
    expect(v.find('POST', '/sms/2/text/advanced')).toBe('allowed');
    expect(v.find('GET', '/sms/2/text/advanced')).toBeUndefined();
    expect(v.find('POST', '/sms/2/text/advanced/')).toBeUndefined();
    expect(v.find('POST', '/SMS/2/text/advanced')).toBeUndefined();
  });

  it('keeps the last four, replacing the oldest first', () => {
    const v = new EndpointVerdicts<number>(catalog);
    for (let i = 0; i < 6; i++) v.remember('GET', `/p/${i}`, i);
    expect([0, 1, 2, 3, 4, 5].map((i) => v.find('GET', `/p/${i}`))).toEqual([undefined, undefined, 2, 3, 4, 5]);
  });

  it('does not keep long paths (memory per cached token stays small whatever is asked)', () => {
    const v = new EndpointVerdicts<string>(catalog);
    const long = `/${'a'.repeat(300)}`;
    v.remember('GET', long, 'x');
    expect(v.find('GET', long)).toBeUndefined();
  });
});
