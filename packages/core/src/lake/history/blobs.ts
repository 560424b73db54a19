import { createHash } from 'node:crypto';
import type { StorageBackend } from '@datalake/model';
import { CorruptDataError, DataLakeError, PreconditionFailedError, PutMode } from '@datalake/model';
import { blobKey } from './keys.js';

/**
 * Makes sure the content `sha256` is kept under `.versions/blobs/`, copying it from `source` (the
 * entry's current content) when it is not there yet. Called before a write that makes that content
 * noncurrent commits, so no version ever names content that is gone. `false` when the source does
 * not hold that content (missing or damaged): nothing is left to keep.
 */
export async function keepContent(backend: StorageBackend, sha256: string, source: string): Promise<boolean> {
  const key = blobKey(sha256);
  if (await backend.head(key)) return true;
  const object = await backend.get(source);
  if (!object) return false;
  const check = { mismatch: false };
  try {
    await backend.put(key, verified(object.body, sha256, source, check), { mode: PutMode.create });
    return true;
  } catch (error) {
    // The backend may wrap the stream's own error: the flag tells what happened.
    if (check.mismatch) return false;
    if (error instanceof PreconditionFailedError) return true; // another writer kept it first
    throw error;
  }
}

/** The bytes of `body` as they stream by; throws at the end if they are not the content `sha256`. */
export async function* verified(
  body: AsyncIterable<Uint8Array>,
  sha256: string,
  where: string,
  check: { mismatch: boolean } = { mismatch: false },
): AsyncIterable<Uint8Array> {
  const hash = createHash('sha256');
  for await (const chunk of body) {
    hash.update(chunk);
    yield chunk;
  }
  if (hash.digest('hex') !== sha256) {
    check.mismatch = true;
    throw new MismatchError(where, sha256);
  }
}

/** Content read from the lake does not hash to the SHA-256 that names it. */
export class MismatchError extends CorruptDataError {
  constructor(where: string, sha256: string) {
    super(`content at "${where}" does not match its SHA-256 ${sha256}`, {
      details: { key: where, sha256, problem: 'hash-mismatch' },
    });
  }
}

/** Whether a kept copy of content `sha256` exists. */
export async function hasBlob(backend: StorageBackend, sha256: string): Promise<boolean> {
  try {
    return (await backend.head(blobKey(sha256))) !== null;
  } catch (error) {
    if (error instanceof DataLakeError) return false;
    throw error;
  }
}
