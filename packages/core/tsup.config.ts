import { defineConfig } from 'tsup';

const publicEntries = {
  index: 'src/index.ts',
  'contract/index': 'src/contract/index.ts',
  'contract/vitest': 'src/contract/vitest.ts',
  'contract/node-test': 'src/contract/node-test.ts',
};

export default defineConfig({
  // The worker threads' scripts are started by their URL (next to the shared chunks), not exports.
  entry: {
    ...publicEntries,
    'index-worker': 'src/search/index-worker.ts',
    'regex-worker': 'src/search/regex-worker.ts',
    'process-worker': 'src/contract/processes/worker.ts',
  },
  external: ['vitest', 'fast-check'],
  format: ['esm'],
  dts: { entry: publicEntries },
  clean: true,
  sourcemap: true,
  target: 'node20',
});
