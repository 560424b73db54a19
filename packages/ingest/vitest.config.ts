import { datalakeVitestConfig } from '@datalake/vitest-preset';

// Whole trees are walked and stored on disk: generous limits for a busy machine.
export default datalakeVitestConfig({ testTimeout: 300_000 });
