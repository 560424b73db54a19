export { type Classification, classify } from './classify.js';
export {
  countLines,
  countLinesOf,
  type DecodedText,
  decodeAs,
  decodeText,
  detectEncoding,
  type TextEncoding,
} from './encoding.js';
export {
  type FileOutcome,
  type IngestAction,
  type IngestFailure,
  type IngestSummary,
  ingestTree,
  type SkippedFileReport,
  SOURCE_PATH,
  SOURCE_PATH_BYTES,
  SOURCE_ROOT,
} from './ingest.js';
export { type FolderMember, lakeNames } from './lake-names.js';
export { DEFAULT_CONCURRENCY, DEFAULT_MAX_SIZE, type IngestOptions } from './options.js';
export { type ProgressReporter, silentProgress } from './progress.js';
export { type Artifact, BUFFERED_LIMIT, readArtifact } from './read-artifact.js';
export { readableName, readablePath, sourceKey, sourceKeyBytes } from './source-names.js';
export {
  SKIPPED_FOLDERS,
  type SkippedFile,
  type SkipReason,
  type WalkedFile,
  type WalkOptions,
  type WalkProblem,
  type WalkResult,
  walkTree,
} from './walk.js';
