export type { CrashableServer, ErasureSet, S3FaultControl } from './control.js';
export { planS3Suite, type S3SuiteOptions, type SuitePlan } from './plan.js';
export {
  configuredS3Servers,
  parseServerRecords,
  type S3Connection,
  type S3ServerKind,
  type S3ServerRecord,
  type S3TestServer,
  SERVERS_VARIABLE,
} from './servers.js';
