// The SDK as an application outside this repository gets it: `npm pack` of sdk/ (built by `npm run build`),
// linted by publint and Are the Types Wrong, installed into fresh apps in the OS temporary directory — an ES module
// app, a CommonJS app (require), TypeScript apps type-checked with moduleResolution node16 and bundler — each calling
// a running Tessera through the client and one middleware. It does not depend on the store, so it runs once, in the
// unit project (vitest.config.ts).
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../src/testing/test-app.js';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../', import.meta.url));
const sdkDir = join(root, 'sdk');
const fixtures = fileURLToPath(new URL('./packaging/', import.meta.url));
const repoRequire = createRequire(join(root, 'package.json'));
const bin = (name: string) => join(root, 'node_modules', '.bin', name);
const tsc = repoRequire.resolve('typescript/bin/tsc');

/** What the apps install beside the tarball, at the versions this repository uses (so npm's cache has them). */
const appDependencies = ['fastify', 'express', '@types/express', 'hono', '@hono/node-server', '@types/node'].map(
  (name) => `${name}@${(JSON.parse(readFileSync(join(root, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version}`,
);

/** A child npm must not inherit the settings `npm test` put in the environment (workspace, prefix…). */
const cleanEnv = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.toLowerCase().startsWith('npm_')));

type Output = { stdout: string; stderr: string };
/** Started in beforeAll and awaited by the tests: the child processes run side by side, keeping the test short. */
function started(work: Promise<Output>): Promise<Output> {
  work.catch(() => undefined); // reported by the test that awaits it
  return work;
}

let t: TestApp;
let dir: string;
let tarball: string;
let publint: Promise<Output>;
let attw: Promise<Output>;
const compiled = new Map<string, Promise<Output>>();
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tessera-sdk-pack-'));
  const [app, packed] = await Promise.all([
    startTestApp(),
    run('npm', ['pack', '--json', '--pack-destination', dir], { cwd: sdkDir, env: cleanEnv }),
  ]);
  t = app;
  tarball = join(dir, (JSON.parse(packed.stdout) as [{ filename: string }])[0].filename);
  publint = started(run(bin('publint'), ['run', tarball, '--strict'], { env: cleanEnv }));
  attw = started(run(bin('attw'), [tarball, '--format', 'json', '--no-definitely-typed'], { env: cleanEnv, maxBuffer: 64 * 1024 * 1024 }));

  // The apps share one install (one node_modules above them, as in a monorepo of apps) to keep the test short.
  const apps = join(dir, 'apps');
  cpSync(fixtures, apps, { recursive: true });
  writeFileSync(join(apps, 'package.json'), '{ "name": "sdk-apps", "private": true }\n');
  const install = (mode: string) =>
    run('npm', ['install', mode, '--no-audit', '--no-fund', '--ignore-scripts', tarball, ...appDependencies], { cwd: apps, env: cleanEnv, timeout: 60_000 });
  // Offline from npm's cache when it holds everything (fast, no network); else from the registry.
  await install('--offline').catch(() => install('--prefer-offline'));
  // skipLibCheck as most apps set it; the package's own declarations are Are the Types Wrong's to check.
  for (const name of ['ts-node16', 'ts-bundler']) {
    compiled.set(name, started(run(process.execPath, [tsc, '-p', join(apps, name)], { timeout: 60_000 })));
  }
}, 90_000);
afterAll(async () => {
  await Promise.allSettled([publint, attw, ...compiled.values()]);
  await t?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the packed @tessera/sdk', () => {
  it('holds both builds and no sources or tests, at the version of the API it was generated from', async () => {
    const { stdout } = await run('tar', ['-tzf', tarball]);
    const files = stdout.trim().split('\n');
    expect(files).toEqual(expect.arrayContaining([
      'package/package.json', 'package/openapi.json', 'package/dist/index.js', 'package/dist/index.d.ts',
      'package/dist/cjs/package.json', 'package/dist/cjs/index.js', 'package/dist/cjs/index.d.ts', 'package/dist/cjs/express.js',
    ]));
    expect(files.filter((f) => /\/src\/|\.test\./.test(f))).toEqual([]);
    const packaged = JSON.parse(readFileSync(join(sdkDir, 'package.json'), 'utf8')) as { version: string };
    const api = JSON.parse(readFileSync(join(sdkDir, 'openapi.json'), 'utf8')) as { info: { version: string } };
    expect(packaged.version).toBe(api.info.version);
  });

  it('passes publint (strict: warnings count as errors)', async () => {
    expect((await publint).stdout).toContain('All good!');
  });

  it('passes Are the Types Wrong for node10, node16 (CJS and ESM) and bundler', async () => {
    const report = JSON.parse((await attw).stdout) as { analysis: { problems: unknown[]; entrypoints: Record<string, unknown> } };
    expect(Object.keys(report.analysis.entrypoints)).toEqual(expect.arrayContaining(['.', './fastify', './express', './hono']));
    expect(report.analysis.problems).toEqual([]);
  });

  type AppReport = {
    tokenId: string;
    allowed: { status: number; body: { tokenId: string } };
    refused: number;
    error: { isTesseraApiError: boolean; code: string };
    dual?: { twoClasses: boolean; instanceofEsm: boolean };
  };
  async function runApp(entry: string): Promise<AppReport> {
    const { stdout } = await run(process.execPath, [join(dir, 'apps', entry)], {
      env: { ...cleanEnv, TESSERA_URL: t.baseUrl, TESSERA_TOKEN: t.rootSecret },
      timeout: 30_000,
    });
    return JSON.parse(stdout) as AppReport;
  }
  function expectWorked(report: AppReport): void {
    expect(report.tokenId).toMatch(/^tok_/);
    expect(report.allowed).toEqual({ status: 200, body: { tokenId: report.tokenId } });
    expect(report.refused).toBe(401);
    expect(report.error).toEqual({ isTesseraApiError: true, code: 'NOT_FOUND' });
  }

  it('works in an ES module app (import; client + Fastify hook)', async () => {
    expectWorked(await runApp('esm/app.mjs'));
  });

  it('works in a CommonJS app (require; client + Express middleware), and its errors are instanceof the ESM class too', async () => {
    const report = await runApp('cjs/app.cjs');
    expectWorked(report);
    expect(report.dual).toEqual({ twoClasses: true, instanceofEsm: true });
  });

  it.each([
    ['node16, compiled to CommonJS; client + Express middleware', 'ts-node16'],
    ['bundler, ES modules; client + Hono middleware', 'ts-bundler'],
  ])('type-checks and works in a TypeScript app (%s)', async (_case, name) => {
    await compiled.get(name)!.catch((error: { stdout?: string }) => {
      throw new Error(`tsc -p ${name} failed:\n${error.stdout}`);
    });
    expectWorked(await runApp(`${name}/dist/app.js`));
  }, 60_000);
});
