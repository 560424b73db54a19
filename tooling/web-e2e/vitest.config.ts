import { datalakeVitestConfig } from '@datalake/vitest-preset';

// A browser test waits on a loaded machine: generous bounds, never a timing assertion.
export default datalakeVitestConfig();
