/** The catalog engine: parse and validate a permission catalog, compile it, answer checks. */
export type * from './catalog-types.js';
export { catalogSchema } from './catalog-schema.js';
export { parseCatalog, type LineLocator, type ParseCatalogResult } from './parse-catalog.js';
export { compileCatalog, type CompileOptions } from './compile-catalog.js';
export { loadCatalog } from './load-catalog.js';
export { CompiledCatalog, type EndpointDecision, type EndpointMatch, type PermissionsInput } from './compiled-catalog.js';
export type { Permissions, PermissionSet } from './permission-set.js';
export type { ScopeDecision } from './check-scope.js';
export type { SubsetResult } from './is-subset.js';
export type { RequiresResult } from './check-requires.js';
export { parseQuery, printQuery, queryScopes, type Query, type ParseQueryResult } from './parse-query.js';
export { parseScopePattern, printScopePattern, covers, overlaps, type ScopePattern } from './scope-pattern.js';
export { parseScopeTemplate, printScopeTemplate, type ScopeTemplate } from './scope-template.js';
export { explain, type ExplainCheck, type Explanation, type MatchedGrant } from './explain.js';
export { capabilities, type Capabilities } from './capabilities.js';
export { catalogTree, type TreeService, type TreeGroup, type TreePermission, type TreeSelection } from './catalog-tree.js';
export { builtinCatalog, builtinCatalogDocument } from './builtin-catalog.js';
export { diffCatalogs, type CatalogDiff, type EntryDiff } from './diff-catalogs.js';
