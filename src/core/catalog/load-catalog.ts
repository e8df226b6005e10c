/** Parse and compile in one step: catalog text in, compiled catalog or located issues out. */
import type { CatalogResult } from './catalog-types.js';
import { parseCatalog } from './parse-catalog.js';
import { compileCatalog } from './compile-catalog.js';
import type { CompiledCatalog } from './compiled-catalog.js';

/**
 * @example
 * const result = loadCatalog(readFileSync('catalog.yaml', 'utf8'), 'yaml');
 * if (!result.ok) for (const e of result.errors) console.error(`line ${e.line}: ${e.path}: ${e.message}`);
 */
export function loadCatalog(text: string, format: 'yaml' | 'json'): CatalogResult<CompiledCatalog> {
  const parsed = parseCatalog(text, format);
  if (!parsed.ok) return parsed;
  return compileCatalog(parsed.catalog, { locate: parsed.locate });
}
