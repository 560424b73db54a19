import { datalakeVitestConfig } from '@datalake/vitest-preset';

export default datalakeVitestConfig({ testTimeout: 120_000, globalSetup: ['test/global-setup.ts'] });
