import { defineConfig } from 'tsup';

const publicEntries = { index: 'src/index.ts', 'contract/index': 'src/contract/index.ts' };

export default defineConfig({
  // The index worker is a script the library starts by its URL (next to the shared chunks), not an export.
  entry: { ...publicEntries, 'index-worker': 'src/search/index-worker.ts' },
  external: ['vitest'],
  format: ['esm'],
  dts: { entry: publicEntries },
  clean: true,
  sourcemap: true,
  target: 'node20',
});
