export { bodyChunks, collectBody, concatBytes } from './backend/body.js';
export { StorageFront } from './backend/front.js';
export {
  assertValidKey,
  assertValidPrefix,
  compareKeys,
  MAX_KEY_BYTES,
  MAX_SEGMENT_BYTES,
} from './backend/keys.js';
export {
  commonPrefix,
  DEFAULT_LIST_LIMIT,
  decodeCursor,
  encodeCursor,
  listAfter,
  MAX_LIST_LIMIT,
  normaliseLimit,
  pageFromSortedObjects,
} from './backend/list-page.js';
export {
  assertEtagHolds,
  assertModeHolds,
  checkedPutMode,
  type HttpCondition,
  httpCondition,
  PutMode,
} from './backend/put-mode.js';
export { assertValidRange, resolveRange } from './backend/range.js';
export { SortedKeys, type SortedPage } from './backend/sorted-keys.js';
export type * from './backend/types.js';
export { useBackend } from './lake/backend-use.js';
export type { ChangeFeed, KeyChangeListener } from './lake/change-journal.js';
export { noteChangedKeys } from './lake/change-keys.js';
export {
  availableCodecs,
  CODEC_SUFFIXES,
  COMPRESSION_CODECS,
  type CompressionCodec,
  codecAvailable,
  DecompressionLimitError,
  UnsupportedCodecError,
} from './lake/compression/codecs.js';
export {
  type CompressionSettings,
  DEFAULT_COMPRESSION_CODEC,
  DEFAULT_MIN_BYTES,
  type LakeSettings,
} from './lake/compression/settings.js';
export { DataLake, type DataLakeOptions } from './lake/data-lake.js';
export type {
  FsckAction,
  FsckOptions,
  FsckProblem,
  FsckProblemKind,
  FsckReport,
} from './lake/fsck.js';
export type { LakeRetention, RetentionRunOptions } from './lake/history/retention/lake-retention.js';
export type { RetentionOutcome } from './lake/history/retention/purge.js';
export type {
  EntryHolds,
  LegalHoldInput,
  RetainUntilInput,
  RetentionMatch,
  RetentionMode,
  RetentionPlan,
  RetentionRule,
  RetentionRules,
} from './lake/history/retention/types.js';
export type {
  ChangeNote,
  EntryAtVersion,
  EntryHistory,
  EntryVersion,
  HistoryOptions,
  VersionDiff,
  VersionOperation,
} from './lake/history/types.js';
export type {
  EntryWithHistory,
  ImportedEntry,
  ImportOutcome,
  LakeHistoryTransfer,
  RetentionExport,
} from './lake/history-transfer/index.js';
export type { EntryStream, Lake } from './lake/lake.js';
export {
  AUDIT_PREFIX,
  AUTH_PREFIX,
  isReservedKey,
  normaliseName,
  normaliseSubpath,
  parseContentPath,
  RESERVED_PREFIXES,
  SETTINGS_PREFIX,
  VERSIONS_PREFIX,
} from './lake/paths.js';
export type { QuarantineNote } from './lake/quarantine.js';
export * from './model/data-type.js';
export type * from './model/entry.js';
export * from './model/errors.js';
export type * from './search/types.js';
