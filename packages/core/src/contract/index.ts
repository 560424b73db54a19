/**
 * The shared contract suite for storage adapters: framework-free checks (plain async functions),
 * a plain runner, and the helpers the checks use. Test-runner bindings live next to it:
 * `@datalake/core/contract/vitest` and `@datalake/core/contract/node-test`.
 */

export { lakeChecks } from './lake-checks/index.js';
export { openLocalLake } from './lake-checks/open-lake.js';
export {
  applicableChecks,
  type CheckOutcome,
  ContractStoppedError,
  contractChecks,
  DEFAULT_TIMEOUT_MS,
  type PlannedCheck,
  planContract,
  runContractChecks,
} from './plan.js';
export { runCheck } from './run-check.js';
export { storageChecks } from './storage-checks/index.js';
export { ContractAssertionError, expect } from './support/expect.js';
export type {
  CheckContext,
  ContractCheck,
  ContractSuiteOptions,
  LakeOpener,
  LakeOpenOptions,
  WorkerFactory,
  WorkerFactoryOptions,
} from './types.js';
