import { defineConfig } from 'tsup';

export default defineConfig({
  // The worker threads' scripts are started by their URL (next to the shared chunks), not exports.
  entry: {
    index: 'src/index.ts',
    'index-worker': 'src/index-worker.ts',
    'regex-worker': 'src/regex-worker.ts',
  },
  format: ['esm'],
  dts: { entry: { index: 'src/index.ts' } },
  clean: true,
  sourcemap: true,
  target: 'node20',
});
