import { defineConfig } from 'tsup';

const publicEntries = {
  index: 'src/index.ts',
  'contract/index': 'src/contract/index.ts',
  'contract/vitest': 'src/contract/vitest.ts',
  'contract/node-test': 'src/contract/node-test.ts',
};

export default defineConfig({
  // The contract's process worker is started by its URL (next to the shared chunks), not an export.
  entry: {
    ...publicEntries,
    'process-worker': 'src/contract/processes/worker.ts',
  },
  external: ['vitest', 'fast-check'],
  format: ['esm'],
  dts: { entry: publicEntries },
  clean: true,
  sourcemap: true,
  target: 'node20',
});
