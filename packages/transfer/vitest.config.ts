import { datalakeVitestConfig } from '@datalake/vitest-preset';

// Property runs and whole backups take seconds on a loaded machine; the bound only catches hangs.
export default datalakeVitestConfig({ testTimeout: 300_000 });
