// The data model and the storage interface live in `@datalake/model`; core re-exports them so
// `@datalake/core` stays the one import for users and adapter authors.

export type {
  AdapterCopyOptions,
  AdapterListOptions,
  AdapterListPage,
  AdapterPutOptions,
  AsOfOptions,
  BackendCapabilities,
  BodyInput,
  ByteRange,
  ChangeNoteInput,
  ContentInput,
  CopyOptions,
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
// The lake's layout in its storage: every reserved prefix and well-known key (owned by `@datalake/model`).
export {
  AUDIT_PREFIX,
  AUTH_PREFIX,
  AUTH_TOKENS_PREFIX,
  assertEtagHolds,
  assertModeHolds,
  assertValidKey,
  assertValidPrefix,
  BackendError,
  BytesBody,
  bodyChunks,
  CATALOG_PREFIX,
  CHANGES_PREFIX,
  CLAIMS_PREFIX,
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
  INDEX_PREFIX,
  INDEX_SEGMENTS_PREFIX,
  isDataLakeError,
  isDataType,
  isReservedKey,
  MAX_KEY_BYTES,
  MAX_SEGMENT_BYTES,
  METADATA_PREFIX,
  NotFoundError,
  PreconditionFailedError,
  PutMode,
  QUARANTINE_PREFIX,
  RESERVED_PREFIXES,
  RETENTION_HOLDS_PREFIX,
  RETENTION_RULES_PREFIX,
  ReadOnlyError,
  RetentionError,
  SETTINGS_KEY,
  SETTINGS_PREFIX,
  SNAPSHOT_KEY,
  sameJson,
  TooLargeError,
  UnsafeBackendError,
  ValidationError,
  VERSIONS_BLOBS_PREFIX,
  VERSIONS_DELETED_PREFIX,
  VERSIONS_PAGES_PREFIX,
  VERSIONS_PREFIX,
  VERSIONS_PURGING_PREFIX,
  VERSIONS_RETENTION_PREFIX,
  VERSIONS_TIMELINE_KEY,
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
export { copyByReading, type ReadWriteStore } from './backend/copy-by-reading.js';
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
export { normaliseName, normaliseSubpath, parseContentPath } from './lake/paths.js';
export type { QuarantineNote } from './lake/quarantine.js';
