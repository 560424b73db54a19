import { defineConfig } from 'vite';

export default defineConfig({
  // Preact's JSX runtime, without a framework plugin.
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022' },
  // `pnpm dev`: the page with hot reload, the API from a `datalake serve` on the default port.
  server: { proxy: { '/v1': 'http://127.0.0.1:8080' } },
});
