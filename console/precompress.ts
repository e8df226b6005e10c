/** A Vite build step: once the bundle is written, every text asset gets its brotli and gzip twin (see compressDir). */
import { join } from 'node:path';
import type { Plugin } from 'vite';
import { compressDir } from '../src/http/console-precompress.ts';

export function precompress(): Plugin {
  let outDir = '';
  return {
    name: 'tessera-precompress',
    apply: 'build',
    configResolved(config) {
      outDir = join(config.root, config.build.outDir);
    },
    closeBundle() {
      compressDir(outDir);
    },
  };
}
