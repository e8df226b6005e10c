// Messaging API: scope categories, channel-wide scopes, `<product>:manage`, any-one-of endpoints.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { loadCatalog } from './load-catalog.js';
import { catalogTree } from './catalog-tree.js';

const loaded = loadCatalog(readFileSync(new URL('../../../examples/catalogs/messaging.yaml', import.meta.url), 'utf8'), 'yaml');
if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
const catalog = loaded.catalog;
const defs = catalog.definitions.all.map((d) => d.text);
const channelScopes = (suffix: string): string[] => defs.filter((s) => s.endsWith(suffix) && s !== suffix.slice(1));

describe('messaging catalog (messaging API)', () => {
  it('offers the six scope categories of the Create API key page', () => {
    expect(catalogTree(catalog).map((s) => s.name)).toEqual(['General', 'Channels', 'Connectivity', 'Platform', 'Customer Engagement', 'Web SDK']);
  });

  it('lists the platform’s General scopes', () => {
    const general = catalogTree(catalog)[0]?.groups[0]?.permissions.map((p) => p.scope);
    expect(general).toEqual(['message:send', 'inbound-message:read', 'web:sdk', 'mobile-app-messaging:sdk']);
  });

  it('message:send includes every channel:message:send', () => {
    expect(channelScopes(':message:send').length).toBeGreaterThanOrEqual(5);
    for (const s of channelScopes(':message:send')) expect(catalog.grants({ scopes: ['message:send'] }, s), s).toBe(true);
    expect(catalog.grants({ scopes: ['message:send'] }, 'sms:logs:read')).toBe(false);
  });

  it('inbound-message:read includes every channel:inbound-message:read', () => {
    for (const s of channelScopes(':inbound-message:read')) expect(catalog.grants({ scopes: ['inbound-message:read'] }, s), s).toBe(true);
    expect(catalog.grants({ scopes: ['inbound-message:read'] }, 'sms:message:send')).toBe(false);
  });

  it.each(['sms', 'whatsapp', 'email', 'viber', 'voice', 'numbers', '2fa', 'conversations', 'people', 'account-management'])(
    '%s:manage includes every endpoint of that product and nothing of another',
    (product) => {
      const perms = { scopes: [`${product}:manage`] };
      const caps = catalog.endpoints.endpoints.filter((e) => e.scopes.some((s) => s.segments[0]?.kind === 'literal' && s.segments[0].value === product));
      for (const e of caps) expect(catalog.checkEndpoint(perms, e.method, e.path.replace(/\{[^}]+\}/g, 'x1')).allowed, e.path).toBe(true);
      expect(catalog.checkEndpoint(perms, 'POST', '/webrtc/1/token').allowed).toBe(false);
    },
  );

  it.each([
    ['sms:message:send', true],
    ['message:send', true],
    ['sms:manage', true],
    ['whatsapp:message:send', false],
    ['sms:logs:read', false],
  ])('POST /sms/2/text/advanced with %s → %s (any one listed scope suffices)', (scope, allowed) => {
    const d = catalog.checkEndpoint({ scopes: [scope] }, 'POST', '/sms/2/text/advanced');
    expect(d.allowed).toBe(allowed);
    if (!d.allowed && d.reason === 'insufficient-scope') expect(d.requiredAnyOf).toEqual(['sms:message:send', 'message:send', 'sms:manage']);
  });

  it('denies endpoints it does not know', () => {
    expect(catalog.checkEndpoint({ scopes: ['*'] }, 'GET', '/nope')).toEqual({ allowed: false, reason: 'unknown-endpoint' });
  });

  it('answers the documented query', () => {
    const q = 'message:send OR (sms:message:send AND sms:logs:read)';
    expect(catalog.evaluateQuery({ scopes: ['sms:message:send', 'sms:logs:read'] }, q)).toBe(true);
    expect(catalog.evaluateQuery({ scopes: ['sms:message:send'] }, q)).toBe(false);
    expect(catalog.evaluateQuery({ scopes: ['message:send'] }, q)).toBe(true);
  });

  it('a deny on one channel keeps the others', () => {
    const perms = { scopes: ['message:send'], deny: ['sms:message:send'] };
    expect(catalog.checkEndpoint(perms, 'POST', '/sms/2/text/advanced').allowed).toBe(false);
    expect(catalog.checkEndpoint(perms, 'POST', '/whatsapp/1/message/text').allowed).toBe(true);
  });
});
