/**
 * The reference model of issue 13 ("authority never grows", docs/security.md R1–R8) for the model-based test
 * (src/service/authority.model.test.ts): plain data and the rules as written, nothing taken from the service.
 * A credential's chain is itself and every token on its parent chain; its state, address and scope checks
 * are those of every link. Where the rules leave a management outcome open (see `either`), the test accepts both.
 */

export type Code = 'VALID' | 'NOT_FOUND' | 'REVOKED' | 'EXPIRED' | 'NOT_YET_VALID' | 'DISABLED' | 'IP_NOT_ALLOWED' | 'INSUFFICIENT_SCOPE';
export type Kind = 'standard' | 'primary' | 'secondary' | 'jwt';
export type Method = 'POST' | 'GET';
/** `wide`: orders:admin includes read and write; `narrow`: only read. */
export type CatalogVariant = 'wide' | 'narrow';

export const MANAGEMENT = ['tokens:create', 'tokens:update', 'tokens:revoke', 'tokens:delete', 'tokens:issue', 'endpoints:manage', 'account:manage'] as const;
export const CUSTOMER = ['orders:read', 'orders:write', 'orders:admin', 'endpoint:orders:POST', 'endpoint:orders:GET'] as const;
export const ALL_SCOPES: readonly string[] = [...MANAGEMENT, ...CUSTOMER];
export const RANGES = ['10.0.0.0/8', '10.1.0.0/16', '10.1.2.0/24', '10.2.0.0/16', '192.168.1.0/24'] as const;
export const ADDRESSES = ['10.1.2.3', '10.1.9.9', '10.2.0.1', '192.168.1.5', '172.16.0.1'] as const;
/** The catalog's endpoints: method, path, the scopes of which any one grants the call. */
export const ENDPOINTS: readonly { method: string; path: string; anyOf: string[] }[] = [
  { method: 'POST', path: '/api/orders', anyOf: ['endpoint:orders:POST'] },
  { method: 'GET', path: '/api/orders', anyOf: ['endpoint:orders:GET'] },
  { method: 'GET', path: '/api/reports', anyOf: ['orders:read'] },
  { method: 'DELETE', path: '/api/unknown', anyOf: [] },
];

export function catalogYaml(variant: CatalogVariant): string {
  const adminIncludes = variant === 'wide' ? '[orders:read, orders:write]' : '[orders:read]';
  return `version: 1
name: model-${variant}
scopes:
  - { scope: orders:read, description: Read orders. }
  - { scope: orders:write, description: Write orders. }
  - { scope: orders:admin, description: Everything on orders., includes: ${adminIncludes} }
resources:
  - type: endpoint
    name: Endpoint
    pattern: "endpoint:{id}:{action}"
    actions: [{ name: POST, description: Send. }, { name: GET, description: Fetch. }]
endpoints:
  - { endpoint: POST /api/orders, auth: token, scopes: ["endpoint:orders:POST"] }
  - { endpoint: GET /api/orders, auth: token, scopes: ["endpoint:orders:GET"] }
  - { endpoint: GET /api/reports, scopes: [orders:read] }
`;
}

export interface Cred {
  label: string;
  kind: Kind;
  /** The token id (for a JWT: its issuer's). */
  id: string;
  /** The token that made it (creator, endpoint-auth switcher or regenerator, issuer); null for the root. */
  parent: Cred | null;
  scopes: string[];
  /** Secondary tokens: their scopes are those of their assignments while the endpoint is in token mode. */
  assignments: Method[];
  validFromMs: number | null;
  expiresAtMs: number | null;
  allowedIps: string[];
  enabled: boolean;
  revoked: boolean;
  /** The record is gone (deleted); a re-created id is another Cred. */
  deleted: boolean;
}

export interface Secret {
  text: string;
  cred: Cred;
  /** A rotated-out secret opens nothing from then on. */
  untilMs: number | null;
}

export interface Check {
  scope?: string;
  endpoint?: { method: string; path: string };
}

const STATE_ORDER: Code[] = ['REVOKED', 'EXPIRED', 'NOT_YET_VALID', 'DISABLED', 'VALID'];

export class AuthorityModel {
  creds: Cred[] = [];
  secrets: Secret[] = [];
  variant: CatalogVariant = 'wide';
  policy = { permissionsEditable: false, maxLifetimeSeconds: null as number | null };
  /** The catalog declares `auth: token`: the endpoint starts in token mode, its primaries made at the first change (docs/catalog.md). */
  endpointMode: 'none' | 'token' = 'token';
  primaries: Partial<Record<Method, Cred>> = {};
  /** What each step did, for failure reports. */
  history: string[] = [];
  private counter = 0;

  constructor(public nowMs: number) {}

  add(cred: Omit<Cred, 'label' | 'revoked' | 'deleted'> & { label?: string }, secret: string | null): Cred {
    const made: Cred = { ...cred, label: cred.label ?? `${cred.kind === 'jwt' ? 'jwt' : 't'}${++this.counter}`, revoked: false, deleted: false };
    this.creds.push(made);
    if (secret !== null) this.secrets.push({ text: secret, cred: made, untilMs: null });
    return made;
  }

  /** The live record with this id, if any (the current instance). */
  byId(id: string): Cred | undefined {
    return this.creds.find((c) => c.kind !== 'jwt' && c.id === id && !c.deleted);
  }

  chain(cred: Cred): Cred[] {
    const links: Cred[] = [];
    for (let c: Cred | null = cred; c !== null; c = c.parent) links.push(c);
    return links;
  }

  /** R1, one link. A deleted ancestor counts as revoked. */
  linkState(c: Cred): Code {
    if (c.revoked || c.deleted) return 'REVOKED';
    if (c.expiresAtMs !== null && c.expiresAtMs <= this.nowMs) return 'EXPIRED';
    if (c.validFromMs !== null && c.validFromMs > this.nowMs) return 'NOT_YET_VALID';
    if (!c.enabled) return 'DISABLED';
    return 'VALID';
  }

  /** R1: the most final state on the chain. */
  state(c: Cred): Code {
    const states = this.chain(c).map((l) => STATE_ORDER.indexOf(this.linkState(l)));
    return STATE_ORDER[Math.min(...states)]!;
  }

  scopesOf(c: Cred): string[] {
    if (c.kind !== 'secondary') return c.scopes;
    return this.endpointMode === 'token' ? c.assignments.map((m) => `endpoint:orders:${m}`) : [];
  }

  /** Every scope a set grants through the catalog's includes; `*` grants everything. */
  expand(scopes: readonly string[]): Set<string> | 'all' {
    if (scopes.includes('*')) return 'all';
    const out = new Set(scopes);
    if (out.has('orders:admin')) {
      out.add('orders:read');
      if (this.variant === 'wide') out.add('orders:write');
    }
    return out;
  }

  permitsOwn(c: Cred, scope: string): boolean {
    const granted = this.expand(this.scopesOf(c));
    return granted === 'all' || granted.has(scope);
  }

  /** R3: a scope passes against every link. */
  permitsChain(c: Cred, scope: string): boolean {
    return this.chain(c).every((l) => this.permitsOwn(l, scope));
  }

  subsetOf(child: readonly string[], parent: Cred): boolean {
    const granted = this.expand(this.scopesOf(parent));
    if (granted === 'all') return true;
    const wanted = this.expand(child);
    return wanted !== 'all' && [...wanted].every((s) => granted.has(s));
  }

  /** R2: inside the list of every link that has one. */
  addressAllowed(c: Cred, ip: string): boolean {
    return this.chain(c).every((l) => l.allowedIps.length === 0 || l.allowedIps.some((r) => cidrContains(r, ip)));
  }

  /**
   * What the verify path may answer for this secret, check and address now: one code, except for a rotated-out
   * secret in its overlap, which the service also ends at its token's own expiry (NOT_FOUND or EXPIRED then).
   */
  verdicts(secret: Secret, check: Check, ip: string): Code[] {
    const { cred } = secret;
    if (secret.untilMs !== null && this.nowMs >= secret.untilMs) return ['NOT_FOUND'];
    // A deleted token's secrets, and JWTs it issued (bound to that instance), open nothing.
    if (cred.deleted || (cred.kind === 'jwt' && cred.parent!.deleted)) return ['NOT_FOUND'];
    const code = this.code(cred, check, ip);
    return secret.untilMs !== null && code === 'EXPIRED' ? ['EXPIRED', 'NOT_FOUND'] : [code];
  }

  private code(cred: Cred, check: Check, ip: string): Code {
    const state = this.state(cred);
    if (state !== 'VALID') return state;
    if (!this.addressAllowed(cred, ip)) return 'IP_NOT_ALLOWED';
    if (check.scope !== undefined && !this.permitsChain(cred, check.scope)) return 'INSUFFICIENT_SCOPE';
    if (check.endpoint !== undefined) {
      const { method, path } = check.endpoint;
      const anyOf = ENDPOINTS.find((e) => e.method === method && e.path === path)?.anyOf ?? [];
      // Every link must grant one of the endpoint's scopes.
      if (!this.chain(cred).every((l) => anyOf.some((s) => this.permitsOwn(l, s)))) return 'INSUFFICIENT_SCOPE';
    }
    return 'VALID';
  }

  /** The earliest expiry on the chain (R4's effective expiry), or null. */
  chainExpiry(c: Cred): number | null {
    const all = this.chain(c).map((l) => l.expiresAtMs).filter((e): e is number => e !== null);
    return all.length === 0 ? null : Math.min(...all);
  }

  /** The non-empty allowed-address lists on the chain, innermost first. */
  chainLists(c: Cred | null): string[][] {
    return c === null ? [] : this.chain(c).map((l) => l.allowedIps).filter((l) => l.length > 0);
  }

  /** R4/R5: a list is within limits when each entry lies inside some entry of every limiting list. */
  listWithin(list: readonly string[], limits: readonly string[][]): boolean {
    if (limits.length === 0) return true;
    if (list.length === 0) return false;
    return list.every((entry) => limits.every((limit) => limit.some((outer) => cidrWithin(entry, outer))));
  }

  /** Tokens (not JWTs) whose chain includes `c`, excluding `c`. */
  descendants(c: Cred): Cred[] {
    return this.creds.filter((d) => d !== c && d.kind !== 'jwt' && this.chain(d).includes(c));
  }

  /** R6: revoke `c` and every descendant. */
  revoke(c: Cred): void {
    for (const d of [c, ...this.descendants(c)]) d.revoked = true;
  }

  /**
   * R8: tokens that keep the account manageable: enabled and live along their chain (disabling an ancestor counts),
   * granting both permissions through every link (`strict`) or by their own scopes. Sure where both readings agree.
   */
  keepers(strict: boolean, change: (c: Cred) => Partial<Cred> | null): Cred[] {
    const saved = new Map<Cred, Partial<Cred>>();
    for (const c of this.creds) {
      const patch = change(c);
      if (patch) {
        saved.set(c, { ...c });
        Object.assign(c, patch);
      }
    }
    try {
      return this.creds.filter((c) => {
        if (c.kind !== 'standard') return false;
        if (this.state(c) !== 'VALID') return false;
        const grants = (scope: string) => (strict ? this.permitsChain(c, scope) : this.permitsOwn(c, scope));
        return grants('account:manage') && grants('tokens:create');
      });
    } finally {
      for (const [c, before] of saved) Object.assign(c, before);
    }
  }

  /** Whether R8 allows a change (`true`, `false`, or `either` where the readings disagree). */
  keepsManageable(change: (c: Cred) => Partial<Cred> | null): boolean | 'either' {
    const verdicts = [true, false].map((strict) => this.keepers(strict, () => null).length === 0 || this.keepers(strict, change).length > 0);
    return verdicts[0] === verdicts[1] ? verdicts[0]! : 'either';
  }
}

/** A management call's expected outcome: checks in any order; a sure failure fails it, an open one may. */
export class Expected {
  readonly sure: string[] = [];
  readonly open: string[] = [];

  /** `ok`: the check passes (`true`), fails (`false`) or the rules leave it open (`'either'`); `code` if it fails. */
  require(ok: boolean | 'either', code: string): this {
    if (ok === false) this.sure.push(code);
    else if (ok === 'either') this.open.push(code);
    return this;
  }

  get outcome(): 'succeeds' | 'fails' | 'either' {
    if (this.sure.length > 0) return 'fails';
    return this.open.length > 0 ? 'either' : 'succeeds';
  }

  /** The codes a failure may carry. */
  get codes(): string[] {
    return [...new Set([...this.sure, ...this.open])];
  }
}

/** Own reading and chain reading of a rule: sure when they agree. */
export function either(own: boolean, chain: boolean): boolean | 'either' {
  return own === chain ? own : 'either';
}

function ipv4(address: string): number {
  return address.split('.').reduce((n, part) => n * 256 + Number(part), 0);
}

function range(cidr: string): [number, number] {
  const [address, bits = '32'] = cidr.split('/');
  const size = 2 ** (32 - Number(bits));
  const start = Math.floor(ipv4(address!) / size) * size;
  return [start, start + size - 1];
}

export function cidrContains(cidr: string, address: string): boolean {
  const [start, end] = range(cidr);
  const a = ipv4(address);
  return a >= start && a <= end;
}

export function cidrWithin(inner: string, outer: string): boolean {
  const [s1, e1] = range(inner);
  const [s2, e2] = range(outer);
  return s1 >= s2 && e1 <= e2;
}
