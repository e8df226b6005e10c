/** The create form's errors in a person's words, each tied to the field it is about (not the API's field names). */
import type { ApiError } from './api';
import { formatDate } from './format';

export type FormField = 'name' | 'id' | 'profileId' | 'description' | 'permissions' | 'grant' | 'expiry' | 'ips';

/** API field (as in `details.field` or the text's "field: …") → the form field that shows it. */
const fieldOfApi: Record<string, FormField> = {
  name: 'name', id: 'id', profileId: 'profileId', description: 'description',
  scopes: 'permissions', deny: 'permissions', templates: 'permissions',
  expiresAt: 'expiry', validFrom: 'expiry', allowedIps: 'ips',
};

/** Where each form field's input is, to move focus to the first one in error. */
export const inputOf: Record<FormField, string> = {
  name: 'token-name', profileId: 'token-profile', id: 'token-id', description: 'token-description',
  permissions: 'permissions-heading', grant: 'grant-add', expiry: 'token-expiry', ips: 'token-ips',
};

export const labelOf: Record<FormField, string> = {
  name: 'Name', id: 'Token id', profileId: 'Profile id', description: 'Description',
  permissions: 'Permissions', grant: 'Resource permission', expiry: 'Expiration', ips: 'Allowed IP addresses',
};

/** Known API texts, said the way the form would say them. */
const rewrites: [RegExp, string][] = [
  [/must name at least one scope/, 'Pick at least one permission: a permission set, a resource permission, or one under Advanced options.'],
  [/must be in the future/, 'Pick a day in the future.'],
  [/already (exists|in use|taken)/, 'Another token already has this id: choose another, or leave it empty for a generated one.'],
];

/** A sentence for a person: capitalised, ended, and an API timestamp (`2026-12-10T22:37:23.870Z`) as a local date. */
function sentence(text: string): string {
  const t = text.trim().replace(/\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z\b/g, (iso) => formatDate(iso));
  return t.charAt(0).toUpperCase() + t.slice(1) + (/[.!?]$/.test(t) ? '' : '.');
}

/** The form field an API error belongs to and its text without the API's field name; undefined field: the whole form. */
export function placeApiError(error: ApiError): { field: FormField | undefined; text: string } {
  const apiField = error.field?.split(/[.[]/)[0];
  const field = apiField ? fieldOfApi[apiField] : undefined;
  const bare = error.field && error.text.startsWith(`${error.field}: `) ? error.text.slice(error.field.length + 2)
    : apiField && error.text.startsWith(`${apiField}`) ? error.text.replace(/^[\w.[\]]+: /, '') : error.text;
  const known = rewrites.find(([pattern]) => pattern.test(bare));
  return { field, text: known ? known[1] : sentence(bare) };
}
