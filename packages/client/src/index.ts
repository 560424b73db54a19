/** The lake's types of the answers about history and retention, for callers that import only the client. */
export type {
  EntryHistory,
  EntryHolds,
  EntryVersion,
  RetentionMatch,
  RetentionMode,
  RetentionOutcome,
  RetentionPlan,
  RetentionRule,
  RetentionRules,
  VersionDiff,
} from '@datalake/core';
export { ForbiddenError, type Problem, UnauthorizedError } from './errors.js';
export { type Conditional, type ListPageOptions, RemoteLake, type RemoteLakeOptions } from './remote-lake.js';
export {
  type JsonCall,
  RemoteRetention,
  type RemoteRetentionPlan,
  type RulesChange,
} from './remote-retention.js';
export type { Action, AuditPage, AuditRecord, Grant, NewToken, TokenInfo, WhoAmI } from './types.js';
