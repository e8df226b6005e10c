// `npm run build` in sdk/ (the root build runs it): dist/ is the ES module build, dist/cjs/ the CommonJS one, both
// from the same sources with tsc; dist/cjs/package.json marks its .js and .d.ts files as CommonJS for Node and
// TypeScript. dist/ is emptied first, so a removed source file leaves nothing behind in the package.
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const sdk = new URL('../', import.meta.url);
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const run = (project) => execFileSync(process.execPath, [tsc, '-p', new URL(project, sdk).pathname], { stdio: 'inherit' });

rmSync(new URL('dist/', sdk), { recursive: true, force: true });
run('tsconfig.json');
run('tsconfig.cjs.json');
mkdirSync(new URL('dist/cjs/', sdk), { recursive: true });
writeFileSync(new URL('dist/cjs/package.json', sdk), '{ "type": "commonjs" }\n');
