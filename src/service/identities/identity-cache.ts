/** Identities read on the check path (their external id, their shared limits): kept in memory, dropped on change. */
import type { AccountId } from '../../core/types.js';
import type { IdentityRecord } from '../../core/usage-limits.js';
import type { Store } from '../../store/store.js';

/** How long an identity is served without a store read; this instance's and other instances' changes drop it at once. */
const TTL_MS = 60_000;
/** Beyond this many identities the oldest are dropped (reloaded on their next check). */
const MAX_ENTRIES = 100_000;

interface Entry {
  identity: IdentityRecord | null;
  untilMs: number;
}

export class IdentityCache {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly store: Pick<Store, 'getIdentity'>) {}

  /** `undefined`: not cached (read it with {@link load}); `null`: known not to exist. */
  peek(accountId: AccountId, id: string, nowMs: number): IdentityRecord | null | undefined {
    const entry = this.entries.get(key(accountId, id));
    if (entry === undefined || nowMs >= entry.untilMs) return undefined;
    return entry.identity;
  }

  async load(accountId: AccountId, id: string, nowMs: number): Promise<IdentityRecord | null> {
    const identity = (await this.store.getIdentity(accountId, id)) ?? null;
    if (this.entries.size >= MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(key(accountId, id), { identity, untilMs: nowMs + TTL_MS });
    return identity;
  }

  invalidate(accountId: AccountId, id: string): void {
    this.entries.delete(key(accountId, id));
  }

  clear(): void {
    this.entries.clear();
  }
}

function key(accountId: AccountId, id: string): string {
  return `${accountId}\u0000${id}`;
}
