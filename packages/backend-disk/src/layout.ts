import { createHash } from 'node:crypto';
import path from 'node:path';
import { assertValidKey, ValidationError } from '@datalake/core';

/**
 * The backend's own folder at the top of the root, holding temp files, locks and object
 * attributes. Keys may not start with it, and listings never show it.
 */
export const INTERNAL_FOLDER = '.datalake-disk';

/** Where everything lives below one root. */
export class DiskLayout {
  readonly root: string;
  readonly internal: string;
  readonly tempDir: string;
  readonly lockDir: string;
  readonly attributeDir: string;

  constructor(root: string) {
    this.root = path.resolve(root);
    this.internal = path.join(this.root, INTERNAL_FOLDER);
    this.tempDir = path.join(this.internal, 'tmp');
    this.lockDir = path.join(this.internal, 'locks');
    this.attributeDir = path.join(this.internal, 'attributes');
  }

  /** The file of a key. The key must have passed `assertDiskKey`, which keeps it inside the root. */
  objectPath(key: string): string {
    return path.join(this.root, ...key.split('/'));
  }

  /** The folder that holds the objects whose keys start with `folderKey` (`''` for the root). */
  folderPath(folderKey: string): string {
    return folderKey === '' ? this.root : this.objectPath(folderKey);
  }

  lockPath(key: string): string {
    return path.join(this.lockDir, `${keyDigest(key)}.lock`);
  }

  attributePath(key: string, etag: string): string {
    return path.join(this.attributeDir, `${keyDigest(key)}-${etag}.json`);
  }
}

/** A fixed-length name for a key, so lock and attribute file names never hit name-length limits. */
function keyDigest(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('base64url').slice(0, 32);
}

/** Throws `ValidationError` unless `key` is a valid key outside the internal folder. */
export function assertDiskKey(key: string): void {
  assertValidKey(key);
  if (key === INTERNAL_FOLDER || key.startsWith(`${INTERNAL_FOLDER}/`)) {
    throw new ValidationError(
      `invalid storage key ${JSON.stringify(key)}: the folder "${INTERNAL_FOLDER}" is reserved by the disk backend`,
      { details: { key } },
    );
  }
}

/** Throws `ValidationError` unless `prefix` is `''` or a key prefix (optionally ending in '/') outside the internal folder. */
export function assertDiskPrefix(prefix: string): void {
  if (typeof prefix !== 'string') throw new ValidationError('list prefix must be a string');
  if (prefix === '') return;
  const trimmed = prefix.endsWith('/') ? prefix.slice(0, -1) : prefix;
  try {
    assertDiskKey(trimmed);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ValidationError(`invalid list prefix ${JSON.stringify(prefix)} (${reason})`, {
      details: { prefix },
    });
  }
}
