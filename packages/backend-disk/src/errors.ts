import { BackendError, ConflictError, DataLakeError, ReadOnlyError } from '@datalake/core';
import { LinkInTheWay } from './containment.js';
import { errorCode } from './disk-fs.js';

/** Operations that change the lake: the only ones that can meet a read-only file system. */
const WRITES = new Set(['put', 'delete']);
/** Codes with which a file system refuses a write it will never accept here. */
const READ_ONLY_CODES = new Set(['EROFS', 'EACCES', 'EPERM']);

/**
 * Turns a raw file-system failure into a typed error naming the operation and the key, keeping the
 * original as `cause`: `ReadOnlyError` for a write the file system refuses (read-only mount,
 * missing write permission), `BackendError` for a symbolic link in the way and everything else.
 * Errors that are already typed pass through unchanged.
 */
export function wrapFsError(operation: string, key: string, error: unknown, root?: string): DataLakeError {
  if (error instanceof DataLakeError) return error;
  if (error instanceof LinkInTheWay) {
    return new BackendError(
      `disk backend: ${operation} of key ${JSON.stringify(key)} refused: ${error.message} (links in the lake are never followed)`,
      { cause: error, details: { key, operation, symlink: error.at } },
    );
  }
  const code = errorCode(error);
  const reason = error instanceof Error ? error.message : String(error);
  if (code && WRITES.has(operation) && READ_ONLY_CODES.has(code)) {
    const where = root === undefined ? 'the lake' : `the lake at ${root}`;
    return new ReadOnlyError(
      `disk backend: cannot ${operation} key ${JSON.stringify(key)}: ${where} cannot be written here (${reason})`,
      { cause: error, details: { key, operation, code, ...(root === undefined ? {} : { root }) } },
    );
  }
  return new BackendError(`disk backend: ${operation} of key ${JSON.stringify(key)} failed: ${reason}`, {
    cause: error,
    details: { key, operation, ...(code ? { code } : {}) },
  });
}

/** A write refused up front by a backend opened with `readOnly: true`. */
export function openedReadOnly(operation: string, key: string, root: string): ReadOnlyError {
  return new ReadOnlyError(
    `disk backend: cannot ${operation} key ${JSON.stringify(key)}: the lake at ${root} was opened read-only`,
    { details: { key, operation, root } },
  );
}

/** A failure while opening the lake (locating the root, cleaning up after dead writers). */
export function openFailure(root: string, error: unknown): DataLakeError {
  if (error instanceof DataLakeError) return error;
  const reason =
    error instanceof LinkInTheWay ? `${error.message} (links in the lake are never followed)` : undefined;
  const code = errorCode(error);
  return new BackendError(
    `disk backend: cannot open the lake at ${root}: ${reason ?? (error instanceof Error ? error.message : String(error))}`,
    {
      cause: error,
      details: {
        root,
        operation: 'open',
        ...(code ? { code } : {}),
        ...(error instanceof LinkInTheWay ? { symlink: error.at } : {}),
      },
    },
  );
}

/** A key cannot be stored because a folder and an object would need the same path. */
export function pathConflict(key: string, detail: string): ConflictError {
  return new ConflictError(`disk backend: cannot store key ${JSON.stringify(key)}: ${detail}`, {
    details: { key },
  });
}
