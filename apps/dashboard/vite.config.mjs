// The dashboard's browser build: `node scripts/build.js` runs it (and checks the JS budget).
// No plugin: esbuild compiles TSX itself, and the page does not need fast refresh to be built.
import { fileURLToPath, URL } from 'node:url';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root,
  base: '/',
  logLevel: 'warn',
  esbuild: { jsx: 'automatic' },
  build: {
    outDir: fileURLToPath(new URL('../../dist/apps/dashboard/web', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    // Maps without a sourceMappingURL comment: the build moves them out of the served folder (scripts/build.js).
    sourcemap: 'hidden',
    reportCompressedSize: false,
  },
});
