import { datalakeVitestConfig } from '@datalake/vitest-preset';

export default datalakeVitestConfig();
