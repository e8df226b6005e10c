/** readJson: a 2xx answer's body as JSON, or the TesseraApiError that says it was not (a proxy's page, a cut body). */
import { TesseraApiError } from './api-error.js';

/**
 * Reads `response`'s body as JSON. Rejects with a {@link TesseraApiError}: `UNEXPECTED_RESPONSE` (with the status,
 * headers and the raw text as `body`) when it is not JSON, or `TIMEOUT` / `NETWORK_ERROR` when the body stops coming.
 * An empty body is `undefined`.
 *
 * @example
 * ```ts
 * const response = await fetch(`${baseUrl}/.well-known/jwks.json`);
 * const { value, text } = await readJson(response); // throws TesseraApiError for a proxy's HTML page
 * ```
 */
export async function readJson(response: Response): Promise<{ value: unknown; text: string }> {
  let text: string;
  try {
    text = await response.text();
  } catch (error) {
    throw TesseraApiError.fromNetworkError(error);
  }
  if (text === '') return { value: undefined, text };
  try {
    return { value: JSON.parse(text) as unknown, text };
  } catch (error) {
    throw TesseraApiError.unexpected(response, text, 'the answer is not JSON', error);
  }
}
