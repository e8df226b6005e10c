/** The current catalog's resource types (IoT-style grants), or none when no catalog is applied. */
import { useMemo } from 'react';
import { api, ApiError } from './api';
import { resourceTypes, type ResourceType } from './catalog-resources';
import { useLoad } from './use-load';

export function useResourceTypes(): ResourceType[] {
  const source = useLoad(() => api.catalog().catch((err: unknown) => {
    if (err instanceof ApiError && err.status === 404) return undefined;
    throw err;
  }), []);
  return useMemo(() => (source.data ? resourceTypes(source.data.source, source.data.format) : []), [source.data]);
}
