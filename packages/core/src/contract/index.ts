/**
 * The shared contract suite for `StorageBackend` adapters. Run it from a vitest file:
 *
 * ```ts
 * import { runContractSuite } from '@datalake/core/contract';
 * runContractSuite({ name: 'my-store', create: () => new MyBackend() });
 * ```
 */

export { lakeChecks } from './lake-checks/index.js';
export { openLocalLake } from './lake-checks/open-lake.js';
export { runCheck } from './run-check.js';
export { storageChecks } from './storage-checks/index.js';
export { applicableChecks, contractChecks, runContractSuite, runLakeContractSuite } from './suite.js';
export type {
  CheckContext,
  ContractCheck,
  ContractSuiteOptions,
  LakeOpener,
  LakeOpenOptions,
} from './types.js';
