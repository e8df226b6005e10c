/** The current catalog's resource types (IoT-style grants), or none when no catalog is applied. */
import { api, ApiError } from './api';
import { resourceTypes, type ResourceType } from './catalog-resources';
import { useLoad } from './use-load';

export function useResourceTypes(): ResourceType[] {
  const types = useLoad(() => api.catalog().then((catalog) => resourceTypes(catalog.source, catalog.format), (err: unknown) => {
    if (err instanceof ApiError && err.status === 404) return [];
    throw err;
  }), []);
  return types.data ?? [];
}
