import { datalakeVitestConfig } from '@datalake/vitest-preset';

export default datalakeVitestConfig({ testTimeout: 300_000, globalSetup: ['test/global-setup.ts'] });
