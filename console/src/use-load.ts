/** Loads data for a page and reloads it on demand; keeps the last good data while reloading. */
import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiError } from './api';

export interface Loaded<T> {
  data: T | undefined;
  error: ApiError | undefined;
  loading: boolean;
  reload: () => void;
  set: (data: T) => void;
}

export function useLoad<T>(load: () => Promise<T>, deps: unknown[]): Loaded<T> {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<ApiError>();
  const [loading, setLoading] = useState(true);
  const [tick, setTick] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;

  useEffect(() => {
    let live = true;
    setLoading(true);
    loadRef.current().then(
      (value) => {
        if (!live) return;
        setData(value);
        setError(undefined);
        setLoading(false);
      },
      (err: unknown) => {
        if (!live) return;
        setError(asApiError(err));
        setLoading(false);
      },
    );
    return () => {
      live = false;
    };
  }, [...deps, tick]);

  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { data, error, loading, reload, set: setData };
}

export function asApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  return new ApiError(0, 'CONSOLE', err instanceof Error ? err.message : String(err), undefined, undefined);
}

/** A save button's state: `run` marks it busy, clears the last error on success, keeps the failure as an ApiError. */
export function useSaving(): { saving: boolean; error: ApiError | undefined; setError: (error: ApiError | undefined) => void; run: (save: () => Promise<void>) => Promise<void> } {
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<ApiError>();
  const run = useCallback(async (save: () => Promise<void>) => {
    setSaving(true);
    try {
      await save();
      setError(undefined);
    } catch (err) {
      setError(asApiError(err));
    } finally {
      setSaving(false);
    }
  }, []);
  return { saving, error, setError, run };
}
