/**
 * The behaviour every `Store` backend must show, run unchanged by each backend's test entry file: one file per area,
 * on the records and fresh stores of `fixtures.ts`.
 */
import type { Store } from '../store.js';
import { runAccountContract } from './account-contract.js';
import { runTokenContract } from './token-contract.js';
import { runListTokensContract } from './list-tokens-contract.js';
import { runSecretContract } from './secret-contract.js';
import { runTransactionContract } from './transaction-contract.js';
import { runAuditContract } from './audit-contract.js';
import { runUsageContract } from './usage-contract.js';
import { runBulkInsertContract } from './bulk-insert-contract.js';
import { runCatalogAndKeyContract } from './catalog-key-contract.js';
import { runEndpointContract } from './endpoint-contract.js';
import { runIdentityContract } from './identity-contract.js';
import { runWebhookContract } from './webhook-contract.js';
import { runCreditContract } from './credit-contract.js';
import { runRateLimitContract } from './rate-limit-contract.js';

export { at, makeAccount, makeSecret, makeToken } from './fixtures.js';

/**
 * Registers the contract suite. `makeStore` must return a new store over an empty database on every call;
 * the suite runs `migrate()` itself and closes the store after each test.
 */
export function runStoreContract(name: string, makeStore: () => Promise<Store>): void {
  runEndpointContract(name, makeStore);
  runCatalogAndKeyContract(name, makeStore);
  runBulkInsertContract(name, makeStore);
  runAccountContract(name, makeStore);
  runTokenContract(name, makeStore);
  runListTokensContract(name, makeStore);
  runSecretContract(name, makeStore);
  runTransactionContract(name, makeStore);
  runAuditContract(name, makeStore);
  runUsageContract(name, makeStore);
  runIdentityContract(name, makeStore);
  runWebhookContract(name, makeStore);
  runCreditContract(name, makeStore);
  runRateLimitContract(name, makeStore);
}
