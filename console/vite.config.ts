// Builds the web console into console/dist, served by the Tessera process under /console/: no source maps, each page
// in its own chunk, and every text asset precompressed (brotli and gzip) for the server to send by Accept-Encoding.
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { precompress } from './precompress.ts';

export default defineConfig({
  root: import.meta.dirname,
  base: '/console/',
  plugins: [react(), precompress()],
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: false, chunkSizeWarningLimit: 300 },
});
