/** The catalog document as written by an operator (YAML or JSON), and the issues validation reports. */

/** One problem in a catalog, pointing at the entry at fault: `scopes[3].includes[0]`, line 42. */
export interface CatalogIssue {
  /** Path into the document, e.g. `endpoints[2].scopes[0]`; empty for the document itself. */
  path: string;
  /** 1-based line in the YAML or JSON source, when the catalog came from text. */
  line?: number;
  message: string;
}

export type CatalogResult<T> = { ok: true; catalog: T } | { ok: false; errors: CatalogIssue[] };

export interface CatalogDocument {
  version: 1;
  name: string;
  description?: string;
  services?: ServiceDoc[];
  scopes?: ScopeDoc[];
  resources?: ResourceDoc[];
  templates?: TemplateDoc[];
  endpoints?: EndpointDoc[];
}

/** Top of the tree shown to people: General, Channels, Platform… */
export interface ServiceDoc {
  id: string;
  name: string;
  description?: string;
  groups: GroupDoc[];
}

export interface GroupDoc {
  id: string;
  name: string;
  description?: string;
  permissions: PermissionDoc[];
}

/** A leaf of the tree: a scope (or resource grant) string, optionally with its own display name. */
export type PermissionDoc = string | { scope: string; name?: string; description?: string };

export interface ScopeDoc {
  /** `message:send`, `tenant:{tenant_id}:read`, `read:brands[:{brand_id}]`. */
  scope: string;
  name?: string;
  description?: string;
  /** Scopes or `*` patterns this scope also grants; may use this scope's params. */
  includes?: string[];
  /** Scopes that must also be on the token, e.g. `user_id:{user_id}`; params are bound by the call. */
  requires?: string | string[];
  /**
   * `false`: the scope cannot be a token's only kind of permission (the notifications API's `user_id:<id>` says which user,
   * not what may be done with it); a token holding only such scopes is refused. Default `true`.
   */
  standalone?: boolean;
}

/** A resource type: grants are spelled `pattern` with `{id}` and `{action}` (default `<type>:{id}:{action}`). */
export interface ResourceDoc {
  type: string;
  name: string;
  description?: string;
  pattern?: string;
  actions: ActionDoc[];
}

export interface ActionDoc {
  name: string;
  description?: string;
}

/** A permission set: a named list of scopes offered as a starting point. */
export interface TemplateDoc {
  id: string;
  name: string;
  description?: string;
  scopes: string[];
}

export interface EndpointDoc {
  /** `METHOD /path/{param}`. */
  endpoint: string;
  name?: string;
  description?: string;
  /** Any one of these grants the call; path params are substituted. */
  scopes: string[];
  /** `token`: the endpoint is protected by primary/secondary endpoint tokens (integration platforms). */
  auth?: 'scopes' | 'token';
  /** With `auth: token`, whether a DELETE primary token exists. */
  allowDelete?: boolean;
}
