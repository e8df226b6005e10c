/** The better-sqlite3 build that is safe on the running Node.js: 13 (Node-API) on Node 22 and later, 12 on Node 20. */
import { createRequire } from 'node:module';
import type BetterSqlite3 from 'better-sqlite3';

/**
 * Two majors of one library, chosen once per process, because neither works on every supported runtime:
 * - better-sqlite3 12 compiled against Node 24.19+ headers aborts the process whenever the garbage collector
 *   finalises a statement outside a JavaScript context (`Assertion failed: (env) != nullptr` in
 *   `RemoveEnvironmentCleanupHook`, from Node 24's inline `node::ObjectWrap`), at random moments after queries;
 * - better-sqlite3 13 is built on Node-API (no `ObjectWrap`), ships a prebuilt binary that works on Node 22 and 24
 *   alike, and crashes Node 20 at the first `new Database()`.
 * Both have the same JavaScript API, so the rest of the code sees one type.
 */
export type BetterSqlite3Constructor = typeof BetterSqlite3;

export const betterSqlite3Package = Number(process.versions.node.split('.')[0]) >= 22 ? 'better-sqlite3-napi' : 'better-sqlite3';

export const BetterSqlite3Database = createRequire(import.meta.url)(betterSqlite3Package) as BetterSqlite3Constructor;
