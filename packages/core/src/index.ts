// The data model and the storage interface live in `@datalake/model`; core re-exports them so
// `@datalake/core` stays the one import for users and adapter authors.

export type {
  AdapterListOptions,
  AdapterListPage,
  AdapterPutOptions,
  AsOfOptions,
  BackendCapabilities,
  BodyInput,
  ByteRange,
  ChangeNoteInput,
  ContentInput,
  DataLakeErrorCode,
  DataLakeErrorOptions,
  DeleteOptions,
  Entry,
  EntryWithContent,
  GetOptions,
  GetResult,
  JsonValue,
  LakeStats,
  ListedObject,
  ListFilter,
  ListOptions,
  ListPage,
  Metadata,
  ObjectInfo,
  PutOptions,
  PutResult,
  StorageAdapter,
  StorageBackend,
  StoreInput,
  UpdateInput,
  VersionOptions,
} from '@datalake/model';
export {
  assertEtagHolds,
  assertModeHolds,
  assertValidKey,
  assertValidPrefix,
  BackendError,
  bodyChunks,
  ClosedError,
  ConflictError,
  CorruptDataError,
  checkedPutMode,
  collectBody,
  compareByPath,
  compareKeys,
  concatBytes,
  DATA_TYPES,
  DataLakeError,
  DataType,
  entryFields,
  type HttpCondition,
  httpCondition,
  isDataLakeError,
  isDataType,
  MAX_KEY_BYTES,
  MAX_SEGMENT_BYTES,
  NotFoundError,
  PreconditionFailedError,
  PutMode,
  ReadOnlyError,
  RetentionError,
  sameJson,
  TooLargeError,
  UnsafeBackendError,
  ValidationError,
} from '@datalake/model';
export type {
  IndexCheckReport,
  IndexReport,
  MatchedLine,
  MatchField,
  NotIndexedEntry,
  NotIndexedReason,
  SearchHit,
  SearchIncomplete,
  SearchIndexOptions,
  SearchMode,
  SearchOptions,
  SearchResult,
  SkippedEntry,
} from '@datalake/search';
export { StorageFront } from './backend/front.js';
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
export { assertValidRange, resolveRange } from './backend/range.js';
export { SortedKeys, type SortedPage } from './backend/sorted-keys.js';
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
export type { FolderNode, FolderTotals } from './lake/folder-totals.js';
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
export { impliedVersion } from './lake/history/versions.js';
export type {
  EntryWithHistory,
  ImportedEntry,
  ImportOptions,
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
