/** Stable, machine-readable error codes. Never renamed once released. */
export type DataLakeErrorCode =
  | 'NOT_FOUND'
  | 'VALIDATION'
  | 'CONFLICT'
  | 'PRECONDITION_FAILED'
  | 'BACKEND'
  | 'CLOSED'
  | 'CORRUPT'
  | 'READ_ONLY'
  | 'TOO_LARGE'
  | 'RETENTION';

export interface DataLakeErrorOptions {
  cause?: unknown;
  /** Extra structured detail (the offending key, path, id, ...). */
  details?: Record<string, unknown>;
}

/** Base class of every error the data lake and its backends throw on purpose. */
export class DataLakeError extends Error {
  readonly code: DataLakeErrorCode;
  readonly details: Record<string, unknown>;

  constructor(code: DataLakeErrorCode, message: string, options: DataLakeErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.details = options.details ?? {};
  }
}

/** No entry has the given id or path. */
export class NotFoundError extends DataLakeError {
  constructor(message: string, options?: DataLakeErrorOptions) {
    super('NOT_FOUND', message, options);
  }
}

/** An input (name, subpath, key, metadata, option) is not acceptable; nothing was written. */
export class ValidationError extends DataLakeError {
  constructor(message: string, options?: DataLakeErrorOptions) {
    super('VALIDATION', message, options);
  }
}

/** The path is already taken, or another writer modified the entry concurrently. */
export class ConflictError extends DataLakeError {
  constructor(message: string, options?: DataLakeErrorOptions) {
    super('CONFLICT', message, options);
  }
}

/** A backend's conditional write or delete (`ifMatch` / `ifNoneMatch`) did not hold. */
export class PreconditionFailedError extends DataLakeError {
  constructor(message: string, options?: DataLakeErrorOptions) {
    super('PRECONDITION_FAILED', message, options);
  }
}

/** The storage backend failed (I/O error, unreachable server, bad credentials, ...). */
export class BackendError extends DataLakeError {
  constructor(message: string, options?: DataLakeErrorOptions) {
    super('BACKEND', message, options);
  }
}

/** The lake (or backend) was closed and cannot serve the call. */
export class ClosedError extends DataLakeError {
  constructor(message = 'the data lake is closed', options?: DataLakeErrorOptions) {
    super('CLOSED', message, options);
  }
}

/** Stored data does not match its own metadata (hash mismatch, unparsable metadata object). */
export class CorruptDataError extends DataLakeError {
  constructor(message: string, options?: DataLakeErrorOptions) {
    super('CORRUPT', message, options);
  }
}

/** The lake's storage refuses writes (a read-only mount, a snapshot, missing write permission); reads still work. */
export class ReadOnlyError extends DataLakeError {
  constructor(message: string, options?: DataLakeErrorOptions) {
    super('READ_ONLY', message, options);
  }
}

/** Content (or a request body) is larger than the limit that applies to it; nothing was written. */
export class TooLargeError extends DataLakeError {
  constructor(message: string, options?: DataLakeErrorOptions) {
    super('TOO_LARGE', message, options);
  }
}

/**
 * `DataLake.open` refused a backend that several processes may share but whose conditional writes
 * are not atomic: two writers could both win a race and one update would be lost. Pass
 * `acceptNonAtomicWrites: true` to open it anyway (when only one process ever writes).
 */
export class UnsafeBackendError extends ValidationError {}

/**
 * A hold or retention rule forbids the delete or purge asked for (or the shortening of a compliance
 * retention). `details.hold` (`legal`, `governance`, `compliance`) or `details.rule` says which.
 */
export class RetentionError extends DataLakeError {
  constructor(message: string, options?: DataLakeErrorOptions) {
    super('RETENTION', message, options);
  }
}

export function isDataLakeError(error: unknown): error is DataLakeError {
  return error instanceof DataLakeError;
}
