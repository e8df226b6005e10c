/** Accounts change rarely and are read on every verify: keep them in memory, drop on change. */
import type { AccountId, AccountRecord } from '../../core/types.js';
import type { Store } from '../../store/store.js';

export class AccountCache {
  private readonly accounts = new Map<string, AccountRecord>();

  constructor(private readonly store: Pick<Store, 'getAccount'>) {}

  /** The cached account, without reading the store (`undefined`: not cached). */
  peek(id: AccountId): AccountRecord | undefined {
    return this.accounts.get(id);
  }

  async get(id: AccountId): Promise<AccountRecord | undefined> {
    const cached = this.accounts.get(id);
    if (cached) return cached;
    const account = await this.store.getAccount(id);
    if (account) this.accounts.set(id, account);
    return account;
  }

  invalidate(id: AccountId): void {
    this.accounts.delete(id);
  }

  clear(): void {
    this.accounts.clear();
  }
}
