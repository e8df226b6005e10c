/** Metadata typed as JSON text: read before it is sent, so a typo is named at the field instead of sent. */
import { ApiError } from '../api';

/** `null` for an empty box; an error naming `metadata` for text that is not a JSON object. */
export function parseMetadata(text: string): { value?: Record<string, unknown> | null; error?: ApiError } {
  if (!text.trim()) return { value: null };
  try {
    const value: unknown = JSON.parse(text);
    if (value && typeof value === 'object' && !Array.isArray(value)) return { value: value as Record<string, unknown> };
  } catch {
    // named below
  }
  return { error: new ApiError(400, 'BAD_REQUEST', 'metadata: must be a JSON object, e.g. {"plan": "pro"}', 'metadata', undefined) };
}
