import { datalakeVitestConfig } from '@datalake/vitest-preset';

export default datalakeVitestConfig({ testTimeout: 120_000 });
