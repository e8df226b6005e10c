/** Checking what a caller sends for a webhook endpoint: every bad value named by its field, before anything changes. */
import { badRequest } from '../../core/errors.js';
import { webhookEventTypes } from '../../core/webhooks.js';

export const MAX_WEBHOOK_URL_LENGTH = 2048;
export const MAX_WEBHOOK_DESCRIPTION_LENGTH = 500;

/** An absolute `http:` or `https:` URL without credentials in it (they would be shown in every listing). */
export function checkWebhookUrl(url: string): string {
  if (url.length > MAX_WEBHOOK_URL_LENGTH) throw badRequest('url', `must be at most ${MAX_WEBHOOK_URL_LENGTH} characters`);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw badRequest('url', 'must be an absolute http or https URL');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw badRequest('url', 'must be an http or https URL');
  if (parsed.username !== '' || parsed.password !== '') throw badRequest('url', 'must not carry a user name or password');
  return parsed.toString();
}

/** Known event types, each at most once, or `['*']` alone for every type. */
export function checkEventTypes(types: readonly string[]): string[] {
  if (types.length === 0) throw badRequest('eventTypes', 'must name at least one event type, or "*" for all');
  if (types.includes('*')) {
    if (types.length > 1) throw badRequest('eventTypes', '"*" (every event) cannot be combined with other types');
    return ['*'];
  }
  const known: readonly string[] = webhookEventTypes;
  types.forEach((type, i) => {
    if (!known.includes(type)) throw badRequest(`eventTypes[${i}]`, `unknown event type "${type}"; known: ${webhookEventTypes.join(', ')} or "*"`);
    if (types.indexOf(type) !== i) throw badRequest(`eventTypes[${i}]`, `"${type}" is listed twice`);
  });
  return [...types];
}

export function checkDescription(description: string | null): string | null {
  if (description !== null && description.length > MAX_WEBHOOK_DESCRIPTION_LENGTH) {
    throw badRequest('description', `must be at most ${MAX_WEBHOOK_DESCRIPTION_LENGTH} characters`);
  }
  return description;
}
