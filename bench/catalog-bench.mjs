// Catalog engine micro-benchmarks over the BUILT code (run `npm run build` first):
//  1. resource/action permission checks on the IoT catalog with 100 grants + 2 deny rules, side by side with
//     @casl/ability and casbin encoding the same policy (all engines must agree on every query before timing);
//  2. endpoint matching (and checking) with a 10-endpoint catalog against a 1,000-endpoint one.
// Figures are ratios against engines/workloads measured in the same run (3 alternating rounds, median), so a noisy
// shared machine moves both sides alike. Every loop is bounded in count and time; the whole file takes ~20-30 s.
import { readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createMongoAbility, AbilityBuilder, subject } from '@casl/ability';
import { newEnforcer, newModelFromString, StringAdapter } from 'casbin';
import { loadCatalog } from '../dist/core/catalog/index.js';

const ROUNDS = 3;
const CHECK_BUDGET_MS = 600; // per engine per round
const MATCH_BUDGET_MS = 400; // per workload per round
const MAX_PASSES = 2_000; // passes over a 1,000-query list, whatever the budget
const CHECK_GOAL = 2;
const MATCH_GOAL = 2;

/** Deterministic PRNG (mulberry32) so every run times the same policy and queries. */
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmtOps = (n) => (n >= 1e6 ? `${(n / 1e6).toFixed(2)} M/s` : `${(n / 1e3).toFixed(1)} k/s`);
const pad = (s, n) => String(s).padEnd(n);

/** Runs `fn` over every item, whole passes, until the budget or MAX_PASSES; ops/s. */
function timeOps(fn, items, budgetMs) {
  let passes = 0;
  let sink = 0;
  const start = performance.now();
  let elapsed = 0;
  do {
    for (let i = 0; i < items.length; i++) if (fn(items[i])) sink++;
    passes++;
    elapsed = performance.now() - start;
  } while (elapsed < budgetMs && passes < MAX_PASSES);
  return { opsPerSec: (passes * items.length) / (elapsed / 1000), sink };
}

/** Alternating rounds (order reversed every other round); median ops/s per workload. */
function rounds(workloads, items, budgetMs) {
  const samples = new Map(workloads.map((w) => [w.name, []]));
  for (let r = 0; r < ROUNDS; r++) {
    const order = r % 2 === 0 ? workloads : [...workloads].reverse();
    for (const w of order) samples.get(w.name).push(timeOps(w.fn, items[w.name] ?? items, budgetMs).opsPerSec);
  }
  return new Map([...samples].map(([k, v]) => [k, { median: median(v), samples: v }]));
}

// ---------------------------------------------------------------- 1. permission checks vs casl / casbin

const IOT_IDS = { device: 'dev', bucket: 'b', endpoint: 'e', dashboard: 'd', token: 't' };
const IDS_PER_TYPE = 40;

/** 100 grants: 60 one resource + one action, 30 every resource + one action, 10 one resource + every action; 2 denies. */
function makePolicy(catalog, random) {
  const actions = Object.fromEntries((catalog.document.resources ?? []).map((r) => [r.type, r.actions.map((a) => a.name)]));
  const types = Object.keys(IOT_IDS);
  const pick = (xs) => xs[Math.floor(random() * xs.length)];
  const id = (type) => `${IOT_IDS[type]}-${Math.floor(random() * IDS_PER_TYPE)}`;
  const grants = new Map(); // scope text -> { type, id, action }
  const add = (g, target) => {
    const before = grants.size;
    while (grants.size === before) {
      const next = g();
      grants.set(`${next.type}:${next.id}:${next.action}`, next);
    }
    if (grants.size > target) throw new Error('policy generator overshot');
  };
  while (grants.size < 60) add(() => { const type = pick(types); return { type, id: id(type), action: pick(actions[type]) }; }, 60);
  while (grants.size < 90) add(() => { const type = pick(types); return { type, id: '*', action: pick(actions[type]) }; }, 90);
  while (grants.size < 100) add(() => { const type = pick(types); return { type, id: id(type), action: '*' }; }, 100);
  // Deny rules that take something away the grants give: one resource of a type-wide grant, and a type-wide action.
  const wide = [...grants.values()].filter((g) => g.id === '*');
  const w0 = wide[0];
  const w1 = wide.find((g) => g.type !== w0.type) ?? wide[1];
  const denies = [
    { type: w0.type, id: `${IOT_IDS[w0.type]}-3`, action: '*' },
    { type: w1.type, id: '*', action: w1.action },
  ];
  return { actions, grants: [...grants.values()], denies };
}

const ruleMatches = (r, q) => r.type === q.type && (r.id === '*' || r.id === q.id) && (r.action === '*' || r.action === q.action);
/** Plain reference semantics, independent of all three engines: some grant matches and no deny does. */
const oracle = (policy, q) => policy.grants.some((g) => ruleMatches(g, q)) && !policy.denies.some((d) => ruleMatches(d, q));

/** 1,000 concrete queries (known type and action, one resource id): half allowed, half denied, some by a deny rule. */
function makeQueries(policy, random, n = 1_000) {
  const types = Object.keys(IOT_IDS);
  const pick = (xs) => xs[Math.floor(random() * xs.length)];
  const allowed = [];
  const denied = []; // no grant matches
  const byDeny = []; // a grant matches but a deny rule takes it away
  const full = () => allowed.length >= n / 2 && denied.length >= n / 2 - n / 10 && byDeny.length >= n / 10;
  for (let tries = 0; tries < 1_000_000 && !full(); tries++) {
    // A quarter of the draws start from a held grant, so allowed ones are not all type-wide.
    let q;
    if (random() < 0.25) {
      const g = pick(policy.grants);
      q = { type: g.type, id: g.id === '*' ? `${IOT_IDS[g.type]}-${Math.floor(random() * IDS_PER_TYPE)}` : g.id, action: g.action === '*' ? pick(policy.actions[g.type]) : g.action };
    } else {
      const type = pick(types);
      q = { type, id: `${IOT_IDS[type]}-${Math.floor(random() * IDS_PER_TYPE)}`, action: pick(policy.actions[type]) };
    }
    const granted = policy.grants.some((g) => ruleMatches(g, q));
    const takenAway = policy.denies.some((d) => ruleMatches(d, q));
    if (granted && !takenAway) {
      if (allowed.length < n / 2) allowed.push(q);
    } else if (granted) {
      if (byDeny.length < n / 10) byDeny.push(q);
    } else if (denied.length < n / 2 - n / 10) denied.push(q);
  }
  if (!full()) throw new Error(`could not draw ${n} queries (${allowed.length} allowed, ${denied.length} + ${byDeny.length} denied)`);
  denied.push(...byDeny);
  // Interleave deterministically so no engine sees a run of one kind.
  const all = [...allowed, ...denied];
  for (let i = all.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [all[i], all[j]] = [all[j], all[i]];
  }
  // One object literal, one hidden class: every engine reads its fields from identically shaped queries
  // (spreading the generated objects gave ~1,000 shapes and taxed whichever engine reads more fields).
  return all.map((q) => ({ type: q.type, id: q.id, action: q.action, casl: subject(q.type, { id: q.id }), obj: `${q.type}:${q.id}` }));
}

function buildCasl(policy) {
  const { can, cannot, build } = new AbilityBuilder(createMongoAbility);
  const act = (a) => (a === '*' ? 'manage' : a); // `manage` is casl's "every action"
  for (const g of policy.grants) {
    if (g.id === '*') can(act(g.action), g.type);
    else can(act(g.action), g.type, { id: g.id });
  }
  // Later rules win in casl, so the `cannot`s after every `can` make deny win as in Tessera.
  for (const d of policy.denies) {
    if (d.id === '*') cannot(act(d.action), d.type);
    else cannot(act(d.action), d.type, { id: d.id });
  }
  return build();
}

const CASBIN_MODEL = `
[request_definition]
r = sub, obj, act

[policy_definition]
p = sub, obj, act, eft

[policy_effect]
e = some(where (p.eft == allow)) && !some(where (p.eft == deny))

[matchers]
m = r.sub == p.sub && keyMatch(r.obj, p.obj) && (p.act == "*" || r.act == p.act)
`;

async function buildCasbin(policy) {
  const line = (r, eft) => `p, token, ${r.type}:${r.id}, ${r.action}, ${eft}`;
  const csv = [...policy.grants.map((g) => line(g, 'allow')), ...policy.denies.map((d) => line(d, 'deny'))].join('\n');
  return newEnforcer(newModelFromString(CASBIN_MODEL), new StringAdapter(csv));
}

async function permissionBench(lines) {
  const iotPath = fileURLToPath(new URL('../examples/catalogs/iot.yaml', import.meta.url));
  const loaded = loadCatalog(readFileSync(iotPath, 'utf8'), 'yaml');
  if (!loaded.ok) throw new Error(`iot catalog did not load: ${JSON.stringify(loaded.errors)}`);
  const catalog = loaded.catalog;
  const random = rng(20_260_117);
  const policy = makePolicy(catalog, random);
  const scopes = policy.grants.map((g) => `${g.type}:${g.id}:${g.action}`);
  const deny = policy.denies.map((d) => `${d.type}:${d.id}:${d.action}`);
  const issues = [...catalog.validateTokenScopes(scopes), ...catalog.validateTokenScopes(deny, 'deny')];
  if (issues.length > 0) throw new Error(`policy scopes unknown to the catalog: ${JSON.stringify(issues)}`);
  const prepared = catalog.prepare({ scopes, deny });
  const casl = buildCasl(policy);
  const casbin = await buildCasbin(policy);
  const queries = makeQueries(policy, random);

  const engines = [
    { name: 'tessera', fn: (q) => catalog.checkResourceAction(prepared, q.type, q.id, q.action) },
    { name: 'casl', fn: (q) => casl.can(q.action, q.casl) },
    { name: 'casbin', fn: (q) => casbin.enforceSync('token', q.obj, q.action) },
  ];

  // Agreement first: identical answers on every query prove the three encodings are the same policy.
  let agree = 0;
  let allowedCount = 0;
  const disagreements = [];
  for (const q of queries) {
    const expected = oracle(policy, q);
    const got = engines.map((e) => e.fn(q));
    if (got.every((g) => g === expected)) agree++;
    else if (disagreements.length < 5) disagreements.push({ q: `${q.type}:${q.id}:${q.action}`, expected, ...Object.fromEntries(engines.map((e, i) => [e.name, got[i]])) });
    if (expected) allowedCount++;
  }
  lines.push(`permission checks: IoT catalog, ${policy.grants.length} grants (60 one-resource, 30 all-resources, 10 all-actions) + ${policy.denies.length} deny rules [${deny.join(', ')}]`);
  lines.push(`  agreement (tessera = casl = casbin = reference): ${agree}/${queries.length} queries (${allowedCount} allowed, ${queries.length - allowedCount} denied)`);
  if (agree !== queries.length) {
    for (const d of disagreements) lines.push(`  DISAGREE ${JSON.stringify(d)}`);
    throw new Error(`engines disagree on ${queries.length - agree} of ${queries.length} queries; the encodings are not the same policy`);
  }

  timeOps(engines[0].fn, queries, 100); // warm-up beyond the agreement pass
  timeOps(engines[1].fn, queries, 100);
  timeOps(engines[2].fn, queries, 100);
  const res = rounds(engines, queries, CHECK_BUDGET_MS);
  for (const e of engines) {
    const r = res.get(e.name);
    lines.push(`  ${pad(e.name, 8)} ${pad(fmtOps(r.median), 12)} checks (rounds: ${r.samples.map(fmtOps).join(', ')})`);
  }
  const t = res.get('tessera').median;
  const c = res.get('casl').median;
  const b = res.get('casbin').median;
  const best = Math.max(c, b);
  lines.push(`  tessera/casl = ${(t / c).toFixed(2)}`);
  lines.push(`  tessera/casbin = ${(t / b).toFixed(2)}`);
  lines.push(`  tessera/max(casl,casbin) = ${(t / best).toFixed(2)} (goal >= ${CHECK_GOAL.toFixed(2)}) ${t / best >= CHECK_GOAL ? 'MET' : 'MISSED'}`);
  return { tesseraPerCasl: t / c, tesseraPerCasbin: t / b, tesseraPerBest: t / best };
}

// ---------------------------------------------------------------- 2. endpoint matching, 10 vs 1,000 endpoints

const NOUNS = ['orders', 'invoices', 'customers', 'products', 'devices', 'buckets', 'reports', 'projects', 'teams', 'users',
  'webhooks', 'payments', 'refunds', 'shipments', 'coupons', 'carts', 'reviews', 'tickets', 'articles', 'files',
  'folders', 'alerts', 'metrics', 'jobs', 'tasks'];
const QUALIFIERS = ['', 'archived', 'draft', 'shared'];
const RESOURCE_ACTIONS = ['list', 'create', 'read', 'update', 'delete', 'list-members', 'manage-members'];

/** Ten REST endpoints per resource: collection, a static sibling of `{id}`, item, sub-collection, sub-item. */
function resourceEndpoints(r) {
  return [
    ['GET', `/v1/${r}`, `${r}:*:list`],
    ['POST', `/v1/${r}`, `${r}:*:create`],
    ['GET', `/v1/${r}/search`, `${r}:*:list`],
    ['GET', `/v1/${r}/{id}`, `${r}:{id}:read`],
    ['PUT', `/v1/${r}/{id}`, `${r}:{id}:update`],
    ['DELETE', `/v1/${r}/{id}`, `${r}:{id}:delete`],
    ['GET', `/v1/${r}/{id}/history`, `${r}:{id}:read`],
    ['GET', `/v1/${r}/{id}/members`, `${r}:{id}:list-members`],
    ['POST', `/v1/${r}/{id}/members`, `${r}:{id}:manage-members`],
    ['DELETE', `/v1/${r}/{id}/members/{member}`, `${r}:{id}:manage-members`],
  ];
}

/** 100 resource names; the 10-endpoint catalog takes the one of mean length, so both see equally long paths. */
function resourceNames(count) {
  const names = [];
  for (const q of QUALIFIERS) for (const n of NOUNS) names.push(q === '' ? n : `${q}-${n}`);
  if (count >= names.length) return names;
  const mean = names.reduce((a, n) => a + n.length, 0) / names.length;
  return [...names].sort((a, b) => Math.abs(a.length - mean) - Math.abs(b.length - mean)).slice(0, count);
}

function endpointCatalog(resourceCount) {
  const resources = resourceNames(resourceCount);
  if (resources.length !== resourceCount) throw new Error(`only ${resources.length} resource names`);
  const doc = {
    version: 1,
    name: `bench-${resourceCount * 10}`,
    resources: resources.map((r) => ({ type: r, name: r, actions: RESOURCE_ACTIONS.map((name) => ({ name })) })),
    endpoints: resources.flatMap((r) => resourceEndpoints(r).map(([m, p, s]) => ({ endpoint: `${m} ${p}`, scopes: [s] }))),
  };
  const loaded = loadCatalog(JSON.stringify(doc), 'json');
  if (!loaded.ok) throw new Error(`bench catalog did not compile: ${JSON.stringify(loaded.errors.slice(0, 3))}`);
  if (loaded.catalog.endpoints.endpoints.length !== resourceCount * 10) throw new Error('endpoint count mismatch');
  // A token that can read everything in the catalog (one grant per resource: the index keys on the first segment),
  // update one item each, and is denied deleting one item of the first resource (a deny on `*` actions would
  // also refuse `<r>:*:list`, since a broad requirement is refused when any part of it is denied).
  const scopes = resources.flatMap((r) => [`${r}:*:read`, `${r}:*:list`, `${r}:${r}-1:update`]);
  const prepared = loaded.catalog.prepare({ scopes, deny: [`${resources[0]}:${resources[0]}-7:delete`] });
  return { catalog: loaded.catalog, resources, prepared };
}

/** `n` concrete requests: 90% hit an endpoint (ids drawn from 50 per resource), 10% miss in four ways. */
function makeRequests(resources, random, n = 1_000) {
  const pick = (xs) => xs[Math.floor(random() * xs.length)];
  const out = [];
  for (let i = 0; i < n; i++) {
    const r = pick(resources);
    if (random() < 0.1) {
      const id = `${r}-${Math.floor(random() * 50)}`;
      const miss = [
        ['GET', `/v1/no-such-${r}/${id}`],
        ['PATCH', `/v1/${r}/${id}`],
        ['GET', `/v1/${r}/${id}/history/extra`],
        ['GET', `/v1/${r}/bad:id`],
      ][i % 4];
      out.push({ method: miss[0], path: miss[1], hit: false });
      continue;
    }
    const [method, template] = pick(resourceEndpoints(r));
    const path = template.replace('{id}', `${r}-${Math.floor(random() * 50)}`).replace('{member}', `u-${Math.floor(random() * 20)}`);
    out.push({ method, path, hit: true });
  }
  return out;
}

function endpointBench(lines) {
  const small = endpointCatalog(1);
  const large = endpointCatalog(100);
  const random = rng(7_031);
  const reqSmall = makeRequests(small.resources, random);
  const reqLarge = makeRequests(large.resources, random);
  for (const [label, c, reqs] of [['10', small, reqSmall], ['1000', large, reqLarge]]) {
    const bad = reqs.filter((q) => (c.catalog.matchEndpoint(q.method, q.path) !== undefined) !== q.hit);
    if (bad.length > 0) throw new Error(`catalog ${label}: ${bad.length} requests matched unexpectedly, e.g. ${bad[0].method} ${bad[0].path}`);
  }
  const meanLen = (reqs) => reqs.reduce((a, q) => a + q.path.length, 0) / reqs.length;
  const allowedShare = (c, reqs) => reqs.filter((q) => c.catalog.checkEndpoint(c.prepared, q.method, q.path).allowed).length;
  const workloads = [
    { name: 'match_10', fn: (q) => small.catalog.matchEndpoint(q.method, q.path) !== undefined },
    { name: 'match_1000', fn: (q) => large.catalog.matchEndpoint(q.method, q.path) !== undefined },
    { name: 'check_10', fn: (q) => small.catalog.checkEndpoint(small.prepared, q.method, q.path).allowed },
    { name: 'check_1000', fn: (q) => large.catalog.checkEndpoint(large.prepared, q.method, q.path).allowed },
  ];
  const items = { match_10: reqSmall, match_1000: reqLarge, check_10: reqSmall, check_1000: reqLarge };
  for (const w of workloads) timeOps(w.fn, items[w.name], 100); // warm-up
  const res = rounds(workloads, items, MATCH_BUDGET_MS);
  lines.push('endpoint matching: 10 vs 1,000 endpoints (/v1/<resource>[/search|/{id}[/history|/members[/{member}]]], 4 methods)');
  lines.push(`  10-endpoint catalog: "${small.resources[0]}" (a name of mean length); mean path length ${meanLen(reqSmall).toFixed(1)} / ${meanLen(reqLarge).toFixed(1)} chars`);
  lines.push(`  requests: 1,000 per catalog, ${reqSmall.filter((q) => !q.hit).length} / ${reqLarge.filter((q) => !q.hit).length} misses; checkEndpoint allows ${allowedShare(small, reqSmall)} / ${allowedShare(large, reqLarge)}`);
  for (const w of workloads) {
    const r = res.get(w.name);
    lines.push(`  ${pad(w.name, 11)} ${pad(fmtOps(r.median), 12)} (rounds: ${r.samples.map(fmtOps).join(', ')})`);
  }
  const matchSlow = res.get('match_10').median / res.get('match_1000').median;
  const checkSlow = res.get('check_10').median / res.get('check_1000').median;
  lines.push(`  match_1000/match_10 slowdown = ${matchSlow.toFixed(2)} (goal <= ${MATCH_GOAL.toFixed(2)}) ${matchSlow <= MATCH_GOAL ? 'MET' : 'MISSED'}`);
  lines.push(`  check_1000/check_10 slowdown = ${checkSlow.toFixed(2)}`);
  return { matchSlowdown: matchSlow, checkSlowdown: checkSlow };
}

/** Runs both benchmarks; returns the printed lines (and the ratios, for callers that want numbers). */
export async function runCatalogBench() {
  const lines = [`catalog bench (node ${process.version}, ${ROUNDS} alternating rounds, median)`];
  const checks = await permissionBench(lines);
  const endpoints = endpointBench(lines);
  return { lines, ratios: { ...checks, ...endpoints } };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const started = performance.now();
  runCatalogBench()
    .then(({ lines }) => {
      for (const l of lines) console.log(l);
      console.log(`(${((performance.now() - started) / 1000).toFixed(1)} s)`);
    })
    .catch((e) => {
      console.error(e instanceof Error ? e.message : e);
      process.exitCode = 1;
    });
}
