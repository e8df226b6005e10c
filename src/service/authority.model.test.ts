// Issue 13 ("authority never grows"): random sequences of management calls by random actors, on the real service
// over a real database (SQLite, or PostgreSQL under the postgres project) with a test clock, against the reference
// model in src/testing/authority-model.ts. After every step every credential ever made (current and rotated-out
// secrets, endpoint tokens, issued JWTs) is checked through tessera.verify, and on some steps through the app's
// GET /v1/authorize, for a random check from a random address; each answer must be the model's.
//
// Bounded for CI: MODEL_RUNS runs of up to MODEL_STEPS steps (default 40 × 60 on SQLite, 16 × 60 on PostgreSQL,
// whose fresh database per run costs more). A longer hunt:
//   MODEL_RUNS=500 MODEL_STEPS=80 npx vitest run src/service/authority.model.test.ts --project sqlite
// MODEL_SEED=<n> replays a run fast-check reported (with MODEL_PATH=<path> for the shrunk one).
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TesseraError } from '../core/errors.js';
import { buildApp, type TesseraApp } from '../http/build-app.js';
import { createPostgresStore } from '../store/postgres/postgres-store.js';
import { createSqliteStore } from '../store/sqlite/sqlite-store.js';
import type { Store } from '../store/store.js';
import {
  ADDRESSES,
  ALL_SCOPES,
  AuthorityModel,
  ENDPOINTS,
  Expected,
  RANGES,
  catalogYaml,
  either,
  type CatalogVariant,
  type Check,
  type Cred,
  type Method,
  type Secret,
} from '../testing/authority-model.js';
import { TestClock, freshTestDatabase } from '../testing/test-app.js';
import { currentTestStore } from '../testing/test-stores.js';
import type { Actor } from './actor.js';
import { createTessera, type Tessera } from './tessera.js';

const RUNS = Number(process.env.MODEL_RUNS ?? (currentTestStore() === 'postgres' ? 16 : 40));
const STEPS = Number(process.env.MODEL_STEPS ?? 60);

interface Real {
  tessera: Tessera;
  clock: TestClock;
  app: TesseraApp | undefined;
  rootSecret: string;
}

type Outcome<T> = { ok: true; value: T } | { ok: false; code: string; message: string };

async function attempt<T>(call: () => Promise<T>): Promise<Outcome<T>> {
  try {
    return { ok: true, value: await call() };
  } catch (error) {
    if (error instanceof TesseraError) return { ok: false, code: error.code, message: error.message };
    throw error;
  }
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
const ms = (text: string | null) => (text === null ? null : Date.parse(text));
const pick = <T>(list: readonly T[], n: number): T | undefined => (list.length === 0 ? undefined : list[n % list.length]);
const masked = <T>(list: readonly T[], mask: number): T[] => list.filter((_, i) => (mask >> i) & 1);

/** Parameters every step shares: who acts, from where, and the seed of the checks made after it. */
interface Who {
  actor: number;
  ip: number;
  seed: number;
}

type Op =
  | { op: 'create'; id: string | undefined; scopes: number; widen: boolean; expires: number | 'omit' | null; ips: number | 'omit'; validFrom: boolean; enabled: boolean }
  | { op: 'update'; target: number; field: 'expiresAt'; value: number | null }
  | { op: 'update'; target: number; field: 'allowedIps'; value: number }
  | { op: 'update'; target: number; field: 'scopes'; value: number }
  | { op: 'update'; target: number; field: 'enabled'; value: boolean }
  | { op: 'setEnabled'; target: number; enabled: boolean }
  | { op: 'revoke'; target: number }
  | { op: 'delete'; target: number }
  | { op: 'rotate'; target: number; overlap: number }
  | { op: 'endpointAuth'; mode: 'token' | 'none' }
  | { op: 'regenerate'; method: Method; overlap: number }
  | { op: 'secondary'; methods: number; enabled: boolean }
  | { op: 'secondaryEnabled'; target: number; enabled: boolean }
  | { op: 'assign'; target: number; methods: number }
  | { op: 'issue'; scopes: number; widen: boolean; lifetime: number }
  | { op: 'catalog'; variant: CatalogVariant }
  | { op: 'policy'; permissionsEditable: boolean; maxLifetimeSeconds: number | null }
  | { op: 'advance'; seconds: number };

const offsets = fc.constantFrom(-10, 60, 600, 3600, 86_400, 864_000);
const target = fc.nat(40);
const opArbs: { weight: number; arbitrary: fc.Arbitrary<Op> }[] = [
  { weight: 6, arbitrary: fc.record({
    op: fc.constant('create' as const),
    id: fc.option(fc.constantFrom('x', 'y', 'z'), { nil: undefined, freq: 2 }),
    scopes: fc.integer({ min: 1, max: 2 ** ALL_SCOPES.length - 1 }),
    widen: fc.boolean(),
    expires: fc.oneof(offsets, fc.constant('omit' as const), fc.constant(null)),
    ips: fc.oneof(fc.constant('omit' as const), fc.integer({ min: 0, max: 2 ** RANGES.length - 1 })),
    validFrom: fc.boolean(),
    enabled: fc.integer({ min: 0, max: 4 }).map((n) => n > 0),
  }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('update' as const), target, field: fc.constant('expiresAt' as const), value: fc.option(offsets, { nil: null }) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('update' as const), target, field: fc.constant('allowedIps' as const), value: fc.integer({ min: 0, max: 2 ** RANGES.length - 1 }) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('update' as const), target, field: fc.constant('scopes' as const), value: fc.integer({ min: 1, max: 2 ** ALL_SCOPES.length - 1 }) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('update' as const), target, field: fc.constant('enabled' as const), value: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('setEnabled' as const), target, enabled: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('revoke' as const), target }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('delete' as const), target }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('rotate' as const), target, overlap: fc.constantFrom(0, 60, 600) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('endpointAuth' as const), mode: fc.constantFrom('token' as const, 'none' as const) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('regenerate' as const), method: fc.constantFrom('POST' as const, 'GET' as const), overlap: fc.constantFrom(0, 60) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('secondary' as const), methods: fc.integer({ min: 0, max: 3 }), enabled: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('secondaryEnabled' as const), target, enabled: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('assign' as const), target, methods: fc.integer({ min: 0, max: 3 }) }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('issue' as const), scopes: fc.integer({ min: 1, max: 2 ** ALL_SCOPES.length - 1 }), widen: fc.boolean(), lifetime: fc.constantFrom(60, 3600, 259_200) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('catalog' as const), variant: fc.constantFrom('wide' as const, 'narrow' as const) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('policy' as const), permissionsEditable: fc.boolean(), maxLifetimeSeconds: fc.constantFrom(null, 172_800) }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('advance' as const), seconds: fc.constantFrom(1, 30, 61, 600, 3600, 90_000) }) },
];
/** MODEL_OPS=create,issue,advance narrows the steps to those kinds (to study one rule at a time). */
const onlyOps = process.env.MODEL_OPS?.split(',');
const opArb: fc.Arbitrary<Op> = fc.oneof(
  ...opArbs.filter((o) => onlyOps === undefined || onlyOps.some((name) => fc.sample(o.arbitrary, 1)[0]!.op === name)),
);

class Step implements fc.AsyncCommand<AuthorityModel, Real> {
  /** What the step did, filled in as it runs: fast-check prints it for the shrunk counterexample. */
  private text: string;

  constructor(
    readonly who: Who,
    readonly op: Op,
    readonly gateway: boolean,
  ) {
    this.text = JSON.stringify(op);
  }

  check(): boolean {
    return true;
  }

  async run(model: AuthorityModel, real: Real): Promise<void> {
    const index = model.history.push(this.text) - 1;
    try {
      await perform(this.who, this.op, model, real, (text) => (this.text = model.history[index] = text));
      await checkEveryCredential(model, real, this.who.seed, this.gateway);
    } catch (error) {
      // The steps as they resolved in this run (which tokens acted, what was asked), whatever fast-check prints.
      if (error instanceof Error) error.message += `\n  steps of this run:\n${model.history.map((h, i) => `    ${i + 1}. ${h}`).join('\n')}`;
      throw error;
    }
  }

  toString(): string {
    return this.text;
  }
}

const stepArb = fc
  .tuple(fc.record({ actor: fc.nat(40), ip: fc.nat(20), seed: fc.nat() }), opArb, fc.integer({ min: 0, max: 9 }).map((n) => n < 3))
  .map(([who, op, gateway]) => new Step(who, op, gateway));

/** The acting token: a standard one, mostly live, and mostly from an address it may use. */
function chooseActor(model: AuthorityModel, who: Who): { actor: Cred; ip: string; secret: Secret } | undefined {
  const standard = model.creds.filter((c) => c.kind === 'standard' && !c.deleted);
  const live = standard.filter((c) => model.state(c) === 'VALID');
  const actor = pick(who.actor % 4 === 0 || live.length === 0 ? standard : live, who.actor >> 2);
  if (!actor) return undefined;
  const allowed = ADDRESSES.filter((a) => model.addressAllowed(actor, a));
  const ip = pick(who.ip % 3 === 0 || allowed.length === 0 ? ADDRESSES : allowed, who.ip >> 2)!;
  const secret = model.secrets.filter((s) => s.cred === actor && s.untilMs === null).at(-1)!;
  return { actor, ip, secret };
}

/** Runs one management step on both sides and compares; `describe` records it for the report. */
async function perform(who: Who, op: Op, model: AuthorityModel, real: Real, describe: (text: string) => void): Promise<void> {
  if (op.op === 'advance') {
    model.nowMs += op.seconds * 1000;
    real.clock.advance(op.seconds);
    describe(`advance ${op.seconds} s`);
    return;
  }
  const root = model.creds[0]!;
  const chosen = op.op === 'catalog' || op.op === 'policy'
    ? { actor: root, ip: ADDRESSES[0], secret: model.secrets.filter((s) => s.cred === root && s.untilMs === null).at(-1)! }
    : chooseActor(model, who);
  if (!chosen) return;
  const { actor: a, ip, secret } = chosen;
  const label = `${a.label}@${ip}`;
  describe(`${label} ${JSON.stringify(op)}`);

  const authenticated = model.verdicts(secret, {}, ip)[0] === 'VALID';
  const auth = await attempt(() => real.tessera.authenticate({ secret: secret.text, scheme: 'bearer' }, ip));
  expect(auth.ok, `${label} authenticates (model: ${model.verdicts(secret, {}, ip).join('|')})`).toBe(authenticated);
  if (!auth.ok) return;
  const actor: Actor = auth.value;
  const e = new Expected();
  const need = (permission: string) => e.require(either(model.permitsOwn(a, permission), model.permitsChain(a, permission)), 'FORBIDDEN');
  const within = (scopes: readonly string[]) =>
    e.require(either(model.subsetOf(scopes, a), model.chain(a).every((l) => model.subsetOf(scopes, l))), 'FORBIDDEN');
  const canActOn = (t: Cred) => (a === t ? true : within(model.scopesOf(t)));
  const standardTarget = (n: number) => {
    const picked = pick(model.creds.filter((c) => c.kind === 'standard'), n)!;
    return { id: picked.id, t: model.byId(picked.id) };
  };
  const compare = <T>(outcome: Outcome<T>, what: string): outcome is { ok: true; value: T } => {
    const context = `${label} ${what}: model ${e.outcome}${e.codes.length ? ` (${e.codes.join('|')})` : ''}, service ${outcome.ok ? 'succeeded' : `${outcome.code}: ${outcome.message}`}`;
    if (e.outcome === 'succeeds') expect(outcome.ok, context).toBe(true);
    if (e.outcome === 'fails') expect(outcome.ok, context).toBe(false);
    if (!outcome.ok) expect(e.codes, context).toContain(outcome.code);
    return outcome.ok;
  };
  const now = model.nowMs;

  switch (op.op) {
    case 'create': {
      need('tokens:create');
      const scopes = chosenScopes(model, a, op.widen, op.scopes);
      within(scopes);
      if (op.id !== undefined && model.byId(op.id)) e.require(false, 'CONFLICT');
      const chainExp = model.chainExpiry(a);
      const policyExp = model.policy.maxLifetimeSeconds === null ? null : now + model.policy.maxLifetimeSeconds * 1000;
      const inherited = [chainExp, policyExp].filter((x): x is number => x !== null);
      let expiresAt: number | null = inherited.length ? Math.min(...inherited) : null;
      let validFrom: number | null = null;
      if (op.expires === null) {
        e.require(chainExp === null, 'FORBIDDEN');
      } else if (op.expires !== 'omit') {
        expiresAt = now + op.expires * 1000;
        e.require(op.expires > 0, 'BAD_REQUEST');
        e.require(chainExp === null || expiresAt <= chainExp, 'FORBIDDEN');
        e.require(policyExp === null || expiresAt <= policyExp, 'BAD_REQUEST');
        if (op.validFrom) validFrom = now + 30_000;
      }
      const limits = model.chainLists(a);
      const allowedIps = op.ips === 'omit' ? (limits[0] ?? []) : masked(RANGES, op.ips);
      if (op.ips !== 'omit') e.require(model.listWithin(allowedIps, limits), 'FORBIDDEN');
      const asked = { id: op.id, scopes, expiresAt: op.expires === 'omit' ? 'omitted' : iso(op.expires === null ? null : expiresAt), allowedIps: op.ips === 'omit' ? 'omitted' : allowedIps, validFrom: iso(validFrom), enabled: op.enabled };
      describe(`${label} create ${JSON.stringify(asked)}`);
      const outcome = await attempt(() => real.tessera.createToken(actor, {
        ...(op.id !== undefined ? { id: op.id } : {}),
        name: 'model',
        scopes,
        ...(op.expires === 'omit' ? {} : { expiresAt: op.expires === null ? null : iso(expiresAt) }),
        ...(validFrom !== null ? { validFrom: iso(validFrom) } : {}),
        ...(op.ips === 'omit' ? {} : { allowedIps }),
        enabled: op.enabled,
      }));
      if (!compare(outcome, 'create')) return;
      const made = model.add({ kind: 'standard', id: outcome.value.token.id, parent: a, scopes, assignments: [], validFromMs: validFrom, expiresAtMs: expiresAt, allowedIps, enabled: op.enabled, ...(op.id ? { label: `${op.id}.${model.creds.filter((c) => c.id === op.id).length + 1}` } : {}) }, outcome.value.secret);
      describe(`${label} create ${JSON.stringify(asked)} → ${made.label}`);
      // R4: what was omitted is inherited, exactly.
      expect(ms(outcome.value.token.expiresAt), `${made.label} expiresAt`).toBe(expiresAt);
      expect([...outcome.value.token.allowedIps].sort(), `${made.label} allowedIps`).toEqual([...allowedIps].sort());
      return;
    }
    case 'update':
    case 'setEnabled': {
      const { id, t } = standardTarget(op.target);
      const enabled = op.op === 'setEnabled' ? op.enabled : op.field === 'enabled' ? op.value : undefined;
      // R5 says a token may disable itself: whether that still needs tokens:update is left open.
      if (a === t && enabled === false && !model.permitsOwn(a, 'tokens:update')) e.require('either', 'FORBIDDEN');
      else need('tokens:update');
      if (!t) e.require(false, 'NOT_FOUND');
      else {
        if (t.revoked) e.require(false, 'CONFLICT');
        canActOn(t);
      }
      const patch: Partial<Cred> = {};
      const input: Record<string, unknown> = {};
      if (enabled !== undefined) {
        patch.enabled = enabled;
        input.enabled = enabled;
        if (t && !enabled) e.require(model.keepsManageable((c) => (c === t ? { enabled: false } : null)), 'CONFLICT');
      } else if (op.op === 'update' && op.field === 'expiresAt') {
        const v = op.value === null ? null : now + op.value * 1000;
        const limits = [model.chainExpiry(a), t?.parent ? model.chainExpiry(t.parent) : null].filter((x): x is number => x !== null);
        e.require(v === null ? limits.length === 0 : limits.every((l) => v <= l), 'FORBIDDEN');
        const policyExp = model.policy.maxLifetimeSeconds === null ? null : now + model.policy.maxLifetimeSeconds * 1000;
        e.require(policyExp === null || (v !== null && v <= policyExp), 'BAD_REQUEST');
        if (t !== undefined && t.validFromMs !== null) e.require(v === null || v > t.validFromMs, 'BAD_REQUEST');
        // R8 names revoke, delete and disable; an edit that ends the last manager's life is left open.
        if (t && v !== null && v <= now && model.keepsManageable((c) => (c === t ? { expiresAtMs: v } : null)) !== true) e.require('either', 'CONFLICT');
        patch.expiresAtMs = v;
        input.expiresAt = iso(v);
      } else if (op.op === 'update' && op.field === 'allowedIps') {
        const list = masked(RANGES, op.value);
        e.require(model.listWithin(list, model.chainLists(a)) && model.listWithin(list, model.chainLists(t?.parent ?? null)), 'FORBIDDEN');
        patch.allowedIps = list;
        input.allowedIps = list;
      } else if (op.op === 'update' && op.field === 'scopes') {
        const scopes = masked(ALL_SCOPES, op.value);
        e.require(model.policy.permissionsEditable, 'FORBIDDEN');
        within(scopes);
        // R5: nor beyond the edited token's own creators (its chain above it).
        if (t?.parent) e.require(model.chain(t.parent).every((l) => model.subsetOf(scopes, l)), 'FORBIDDEN');
        // R8 names revoke, delete and disable; an edit that takes the last manager's permissions away is left open.
        if (t && model.keepsManageable((c) => (c === t ? { scopes } : null)) !== true) e.require('either', 'CONFLICT');
        patch.scopes = scopes;
        input.scopes = scopes;
      }
      describe(`${label} ${op.op} ${t?.label ?? id} ${JSON.stringify(input)}`);
      const outcome = await attempt(() => (op.op === 'setEnabled' ? real.tessera.setTokenEnabled(actor, id, op.enabled) : real.tessera.updateToken(actor, id, input)));
      if (compare(outcome, op.op)) Object.assign(t!, patch);
      return;
    }
    case 'revoke':
    case 'delete': {
      const { id, t } = standardTarget(op.target);
      describe(`${label} ${op.op} ${t?.label ?? id}`);
      if (op.op === 'delete' || a !== t) need(op.op === 'delete' ? 'tokens:delete' : 'tokens:revoke');
      if (!t) e.require(false, 'NOT_FOUND');
      else {
        canActOn(t);
        const gone = new Set([t, ...model.descendants(t)]);
        e.require(model.keepsManageable((c) => (gone.has(c) ? (c === t && op.op === 'delete' ? { deleted: true } : { revoked: true }) : null)), 'CONFLICT');
      }
      const outcome = await attempt<unknown>(() => (op.op === 'revoke' ? real.tessera.revokeToken(actor, id) : real.tessera.deleteTokens(actor, [id])));
      if (!compare(outcome, op.op)) return;
      model.revoke(t!);
      if (op.op === 'delete') t!.deleted = true;
      return;
    }
    case 'rotate': {
      const { id, t } = standardTarget(op.target);
      describe(`${label} rotates ${t?.label ?? id} (overlap ${op.overlap} s)`);
      if (a !== t) need('tokens:update');
      if (!t) e.require(false, 'NOT_FOUND');
      else {
        if (t.revoked) e.require(false, 'CONFLICT');
        canActOn(t);
      }
      const outcome = await attempt(() => real.tessera.rotateToken(actor, id, { overlapSeconds: op.overlap }));
      if (compare(outcome, 'rotate')) rotated(model, t!, outcome.value.secret, op.overlap);
      return;
    }
    case 'endpointAuth': {
      need('endpoints:manage');
      const methods: Method[] = ['POST', 'GET'];
      if (op.mode === 'token') {
        for (const m of methods) if (!model.primaries[m] || model.primaries[m].revoked) within([`endpoint:orders:${m}`]);
      } else {
        for (const m of methods) {
          const p = model.primaries[m];
          if (p && !p.revoked) canActOn(p);
        }
      }
      const outcome = await attempt(() => real.tessera.setEndpointAuth(actor, 'orders', { mode: op.mode }));
      if (!compare(outcome, 'endpoint auth')) return;
      if (op.mode === 'none') {
        for (const m of methods) if (model.primaries[m]) model.revoke(model.primaries[m]);
        model.primaries = {};
      }
      model.endpointMode = op.mode;
      for (const g of outcome.value.generated) {
        const m = g.method as Method;
        model.primaries[m] = model.add({ kind: 'primary', id: g.tokenId, parent: a, scopes: [`endpoint:orders:${m}`], assignments: [], validFromMs: null, ...inheritedLimits(model, a), enabled: true, label: `primary-${m}-${g.tokenId.slice(-4)}` }, g.secret);
      }
      describe(`${label} endpoint auth ${op.mode}${outcome.value.generated.length ? `, primaries ${outcome.value.generated.map((g) => g.method).join(',')}` : ''}`);
      return;
    }
    case 'regenerate': {
      need('endpoints:manage');
      const p = model.primaries[op.method];
      describe(`${label} regenerates ${p?.label ?? `(no ${op.method} primary)`} (overlap ${op.overlap} s)`);
      if (!p || model.endpointMode !== 'token') e.require(false, 'CONFLICT');
      else {
        if (p.revoked) e.require(false, 'CONFLICT');
        canActOn(p);
      }
      const outcome = await attempt(() => real.tessera.regeneratePrimary(actor, 'orders', op.method, { overlapSeconds: op.overlap }));
      if (!compare(outcome, 'regenerate')) return;
      rotated(model, p!, outcome.value.secret, op.overlap);
      // The regenerating token is the primary's parent from now on, and the primary takes its chain's limits.
      Object.assign(p!, { parent: a, ...inheritedLimits(model, a) });
      return;
    }
    case 'secondary': {
      need('endpoints:manage');
      const methods = masked<Method>(['POST', 'GET'], op.methods);
      if (methods.length > 0 && model.endpointMode !== 'token') e.require(false, 'CONFLICT');
      within(methods.map((m) => `endpoint:orders:${m}`));
      describe(`${label} create secondary ${JSON.stringify({ methods, enabled: op.enabled })}`);
      const outcome = await attempt(() => real.tessera.createEndpointToken(actor, { name: 'app', enabled: op.enabled, assignments: methods.map((method) => ({ endpoint: 'orders', method })) }));
      if (!compare(outcome, 'secondary')) return;
      const made = model.add({ kind: 'secondary', id: outcome.value.token.token.id, parent: a, scopes: [], assignments: methods, validFromMs: null, ...inheritedLimits(model, a), enabled: op.enabled }, outcome.value.secret);
      describe(`${label} create secondary ${JSON.stringify({ methods, enabled: op.enabled })} → ${made.label}`);
      return;
    }
    case 'secondaryEnabled': {
      const t = pick(model.creds.filter((c) => c.kind === 'secondary'), op.target);
      if (!t) return;
      describe(`${label} ${op.enabled ? 'enables' : 'disables'} secondary ${t.label}`);
      need('endpoints:manage');
      if (t.revoked) e.require(false, 'CONFLICT');
      canActOn(t);
      const outcome = await attempt(() => real.tessera.setEndpointTokenEnabled(actor, t.id, op.enabled));
      if (compare(outcome, 'secondary enabled')) t.enabled = op.enabled;
      return;
    }
    case 'assign': {
      const t = pick(model.creds.filter((c) => c.kind === 'secondary'), op.target);
      if (!t) return;
      const methods = masked<Method>(['POST', 'GET'], op.methods);
      describe(`${label} assigns secondary ${t.label} to ${JSON.stringify(methods)}`);
      need('endpoints:manage');
      if (t.revoked) e.require(false, 'CONFLICT');
      canActOn(t);
      if (methods.length > 0 && model.endpointMode !== 'token') e.require(false, 'CONFLICT');
      within(methods.map((m) => `endpoint:orders:${m}`));
      // R5: nor beyond the secondary's own creators (token-guards.ts checks an assignment like a scope edit).
      if (t.parent) e.require(model.chain(t.parent).every((l) => model.subsetOf(methods.map((m) => `endpoint:orders:${m}`), l)), 'FORBIDDEN');
      const outcome = await attempt(() => real.tessera.setAssignments(actor, t.id, methods.map((method) => ({ endpoint: 'orders', method }))));
      if (compare(outcome, 'assign')) t.assignments = methods;
      return;
    }
    case 'issue': {
      need('tokens:issue');
      const scopes = chosenScopes(model, a, op.widen, op.scopes);
      within(scopes);
      describe(`${label} issue ${JSON.stringify({ scopes, expiresIn: op.lifetime })}`);
      const outcome = await attempt(() => real.tessera.issueToken(actor, { scope: scopes.join(' '), expires_in: op.lifetime }));
      if (!compare(outcome, 'issue')) return;
      const exp = Date.parse(outcome.value.expiresAt);
      expect(exp, 'an issued JWT lives at most as long as asked').toBeLessThanOrEqual(Math.floor(now / 1000) * 1000 + op.lifetime * 1000);
      const made = model.add({ kind: 'jwt', id: a.id, parent: a, scopes, assignments: [], validFromMs: null, expiresAtMs: exp, allowedIps: [], enabled: true }, outcome.value.token);
      describe(`${label} issue ${JSON.stringify({ scopes, expiresIn: op.lifetime })} → ${made.label} (exp ${outcome.value.expiresAt})`);
      return;
    }
    case 'catalog': {
      need('catalog:write');
      const outcome = await attempt(() => real.tessera.applyCatalog(actor, { source: catalogYaml(op.variant), format: 'yaml' }));
      if (compare(outcome, 'catalog')) model.variant = op.variant;
      return;
    }
    case 'policy': {
      need('account:manage');
      const outcome = await attempt(() => real.tessera.updateAccountPolicy(actor, { permissionsEditable: op.permissionsEditable, maxLifetimeSeconds: op.maxLifetimeSeconds }));
      if (compare(outcome, 'policy')) model.policy = { permissionsEditable: op.permissionsEditable, maxLifetimeSeconds: op.maxLifetimeSeconds };
      return;
    }
  }
}

/** Scopes for a new credential: some of the actor's own, or (`widen`) of any, never none. */
function chosenScopes(model: AuthorityModel, a: Cred, widen: boolean, mask: number): string[] {
  const own = model.expand(a.scopes) === 'all' ? ALL_SCOPES : a.scopes;
  const scopes = masked(widen ? ALL_SCOPES : own, mask);
  return scopes.length > 0 ? scopes : [own[0] ?? 'orders:read'];
}

/**
 * A rotation's effect: the current secrets end after the overlap (never later than they already did, nor than the
 * token's own expiry, as rotate documents), and a new one.
 */
function rotated(model: AuthorityModel, t: Cred, secret: string, overlap: number): void {
  const end = Math.max(model.nowMs, Math.min(model.nowMs + overlap * 1000, t.expiresAtMs ?? Infinity));
  for (const s of model.secrets) {
    if (s.cred === t && s.untilMs === null) s.untilMs = end;
  }
  model.secrets.push({ text: secret, cred: t, untilMs: null });
}

/**
 * What an integration token (primary or secondary) copies from the token that makes or regenerates it: the chain's
 * earliest expiry and its innermost allowed-address list, fixed at that moment (system-tokens.ts, rotate-token.ts).
 */
function inheritedLimits(model: AuthorityModel, maker: Cred): Pick<Cred, 'expiresAtMs' | 'allowedIps'> {
  return { expiresAtMs: model.chainExpiry(maker), allowedIps: [...(model.chainLists(maker)[0] ?? [])] };
}

/** A small deterministic stream of choices from a step's seed, so a replay checks the same things. */
function choices(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) % 1_000_003;
  };
}

async function checkEveryCredential(model: AuthorityModel, real: Real, seed: number, gateway: boolean): Promise<void> {
  const next = choices(seed);
  for (const secret of model.secrets) {
    const ip = pick(ADDRESSES, next())!;
    const kind = next() % 3;
    const endpoint = pick(ENDPOINTS, next())!;
    const check: Check = kind === 0 ? {} : kind === 1 ? { scope: pick(ALL_SCOPES, next())! } : { endpoint: { method: endpoint.method, path: endpoint.path } };
    const wanted = model.verdicts(secret, check, ip);
    const result = await real.tessera.verify({ secret: secret.text, ip, ...(check.scope ? { scopes: [check.scope] } : {}), ...(check.endpoint ? { endpoint: check.endpoint } : {}) });
    const what = `verify ${describeSecret(model, secret)} ${JSON.stringify(check)} from ${ip} at +${(model.nowMs - START) / 1000} s`;
    expect(wanted, what).toContain(result.code);
    if (gateway && real.app) {
      const res = await real.app.inject({
        method: 'GET',
        url: '/v1/authorize',
        headers: { authorization: `Bearer ${secret.text}`, 'x-original-method': endpoint.method, 'x-original-uri': endpoint.path, 'x-real-ip': ip },
      });
      const codes = model.verdicts(secret, { endpoint: { method: endpoint.method, path: endpoint.path } }, ip);
      const statuses = codes.map((c) => (c === 'VALID' ? 200 : c === 'INSUFFICIENT_SCOPE' ? 403 : 401));
      expect(statuses, `GET /v1/authorize ${describeSecret(model, secret)} ${endpoint.method} ${endpoint.path} from ${ip}`).toContain(res.statusCode);
    }
  }
}

function describeSecret(model: AuthorityModel, secret: Secret): string {
  const chain = model.chain(secret.cred).map((c) => `${c.label}[${model.linkState(c)}]`).join(' < ');
  return `${secret.untilMs === null ? '' : 'rotated-out secret of '}${chain}`;
}

const START = new TestClock().ms;

let databases = 0;
let migratedSqlite: string | undefined;

/** A fresh migrated database: on SQLite a copy of one migrated file (migrating each time costs more than a run). */
async function freshStore(dir: string): Promise<Store> {
  const db = await freshTestDatabase(dir, `model-${++databases}.db`);
  if (db.startsWith('postgres')) {
    const store = await createPostgresStore({ url: db });
    await store.migrate();
    return store;
  }
  if (migratedSqlite === undefined) {
    const template = join(dir, 'migrated.db');
    const store = await createSqliteStore({ filename: template });
    await store.migrate();
    await store.close();
    migratedSqlite = template;
  }
  copyFileSync(migratedSqlite, db);
  return createSqliteStore({ filename: db });
}

async function startReal(dir: string, withApp: boolean): Promise<{ real: Real; model: AuthorityModel; close: () => Promise<void> }> {
  const store = await freshStore(dir);
  const clock = new TestClock();
  const tessera = createTessera({ store, clock, usageFlushIntervalMs: 3_600_000, authThrottle: { maxFailures: 1_000_000, windowMs: 60_000 } });
  const boot = await tessera.bootstrap();
  if (!boot) throw new Error('fresh database was not bootstrapped');
  const rootActor = await tessera.authenticate({ secret: boot.root.secret, scheme: 'bearer' }, '127.0.0.1');
  await tessera.applyCatalog(rootActor, { source: catalogYaml('wide'), format: 'yaml' });
  const model = new AuthorityModel(clock.ms);
  model.add({ kind: 'standard', id: boot.root.token.id, parent: null, scopes: ['*'], assignments: [], validFromMs: null, expiresAtMs: null, allowedIps: [], enabled: true, label: 'root' }, boot.root.secret);
  const app = withApp ? (await buildApp({ tessera, trustProxy: ['127.0.0.1'] })).app : undefined;
  return {
    real: { tessera, clock, app, rootSecret: boot.root.secret },
    model,
    // Closing an app takes a second or two of timers: that runs beside the next runs (see `closing`).
    close: () => (app ? app.close() : Promise.resolve()).then(() => tessera.close()),
  };
}

describe('authority never grows (issue 13): the service against the reference model', () => {
  it(`${RUNS} random runs of up to ${STEPS} steps`, { timeout: 600_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tessera-model-'));
    let run = 0;
    const closing: Promise<void>[] = [];
    try {
      await fc.assert(
        fc.asyncProperty(fc.commands([stepArb], { maxCommands: STEPS, size: 'max' }), async (steps) => {
          const { real, model, close } = await startReal(dir, run++ % 4 === 0);
          try {
            await fc.asyncModelRun(() => ({ model, real }), steps);
          } finally {
            closing.push(close());
          }
        }),
        {
          numRuns: RUNS,
          ...(process.env.MODEL_SEED ? { seed: Number(process.env.MODEL_SEED) } : {}),
          ...(process.env.MODEL_PATH ? { path: process.env.MODEL_PATH } : {}),
        },
      );
    } finally {
      await Promise.all(closing);
      migratedSqlite = undefined;
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
