import { BackendError, ConflictError, DataLakeError } from '@datalake/core';
import { errorCode } from './disk-fs.js';

/**
 * Turns a raw file-system failure into a `BackendError` naming the operation and the key, keeping
 * the original as `cause`. Errors that are already typed pass through unchanged.
 */
export function wrapFsError(operation: string, key: string, error: unknown): DataLakeError {
  if (error instanceof DataLakeError) return error;
  const code = errorCode(error);
  const reason = error instanceof Error ? error.message : String(error);
  return new BackendError(`disk backend: ${operation} of key ${JSON.stringify(key)} failed: ${reason}`, {
    cause: error,
    details: { key, operation, ...(code ? { code } : {}) },
  });
}

/** A key cannot be stored because a folder and an object would need the same path. */
export function pathConflict(key: string, detail: string): ConflictError {
  return new ConflictError(`disk backend: cannot store key ${JSON.stringify(key)}: ${detail}`, {
    details: { key },
  });
}
