// Communications platform: the five permission sets and the advanced services tree.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { loadCatalog } from './load-catalog.js';
import { catalogTree } from './catalog-tree.js';

const loaded = loadCatalog(readFileSync(new URL('../../../examples/catalogs/communications.yaml', import.meta.url), 'utf8'), 'yaml');
if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
const catalog = loaded.catalog;

describe('communications catalog (communications platform)', () => {
  it('offers the five permission sets of the platform, with descriptions', () => {
    const sets = (catalog.document.templates ?? []).map((t) => [t.name, t.description]);
    expect(sets).toEqual([
      ['One API Access – All Channels', 'Use the Enterprise Communications API to send on all channels.'],
      ['One API Access – All Channels + Branch', expect.stringContaining('send on all channels, plus Branch')],
      ['Manage profiles and data', 'Manage profiles and data.'],
      ['Create Facebook opt-in data', 'Create Facebook opt-in data.'],
      ['Manage App Messaging conversations', 'Manage App Messaging conversations.'],
    ]);
  });

  it('the all-channels set sends on every channel but not Branch', () => {
    const t = catalog.templateScopes(['ecapi-all-channels']);
    if (!t.ok) throw new Error(t.unknown);
    for (const channel of ['sms', 'email', 'push', 'app-messaging', 'facebook', 'whatsapp']) {
      expect(catalog.checkEndpoint({ scopes: t.scopes }, 'POST', `/v1/messages/${channel}`).allowed, channel).toBe(true);
    }
    expect(catalog.checkEndpoint({ scopes: t.scopes }, 'POST', '/v1/branch/links').allowed).toBe(false);
    const plus = catalog.templateScopes(['ecapi-all-channels-branch']);
    expect(plus.ok && catalog.checkEndpoint({ scopes: plus.scopes }, 'POST', '/v1/branch/links').allowed).toBe(true);
  });

  it('shows the advanced tree with the chosen sets already ticked', () => {
    const tree = catalogTree(catalog, { templates: ['ecapi-all-channels-branch'] });
    expect(tree.map((s) => s.name)).toEqual(['Enterprise Communications API', 'Profiles and data', 'App Messaging', 'Platform configuration']);
    const channels = tree[0]?.groups[0]?.permissions ?? [];
    expect(channels.find((p) => p.scope === 'ecapi:send')).toMatchObject({ selected: true, granted: true, name: 'Send on all channels' });
    expect(channels.find((p) => p.scope === 'ecapi:send:sms')).toMatchObject({ selected: false, granted: true });
    const config = tree[3]?.groups[0]?.permissions ?? [];
    expect(config.every((p) => !p.selected && !p.granted)).toBe(true);
  });

  it('a tweak in the tree narrows one channel without touching the others', () => {
    const perms = { scopes: ['ecapi:send:sms', 'ecapi:send:email'] };
    expect(catalog.checkEndpoint(perms, 'POST', '/v1/messages/sms').allowed).toBe(true);
    expect(catalog.checkEndpoint(perms, 'POST', '/v1/messages/push').allowed).toBe(false);
  });

  it('refuses unknown permission sets', () => {
    expect(catalog.templateScopes(['nope'])).toEqual({ ok: false, unknown: 'nope' });
  });
});
