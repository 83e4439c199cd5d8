import { defineConfig } from 'vitest/config';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('.', import.meta.url));

// The server serves web/dist and falls back to index.html for unknown
// non-API paths, so the app uses absolute asset URLs from "/".
export default defineConfig({
  root,
  base: '/',
  esbuild: {
    jsx: 'automatic',
    jsxImportSource: 'preact',
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
  },
  server: {
    // `npm run dev` proxies the API to a locally running `tessera serve`.
    proxy: {
      '/api': process.env.TESSERA_URL ?? 'http://127.0.0.1:8080',
    },
  },
  test: {
    root: fileURLToPath(new URL('..', import.meta.url)),
    include: ['web/src/**/*.test.ts', 'tests/web/**/*.test.ts'],
    environment: 'node',
  },
});
