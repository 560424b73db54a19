import { createHash } from 'node:crypto';
import path from 'node:path';
import { assertValidKey, assertValidPrefix, ValidationError } from '@datalake/core';

/**
 * The backend's own folder at the top of the root, holding temp files, locks and object
 * attributes. Keys may not start with it, and listings never show it.
 */
export const INTERNAL_FOLDER = '.datalake-disk';
/** Folder keys (relative to the root) of the internal folders. */
export const TEMP_FOLDER = `${INTERNAL_FOLDER}/tmp`;
export const LOCK_FOLDER = `${INTERNAL_FOLDER}/locks`;
export const ATTRIBUTE_FOLDER = `${INTERNAL_FOLDER}/attributes`;
export const JOURNAL_FOLDER = `${INTERNAL_FOLDER}/journal`;

/** Where everything lives below one root. */
export class DiskLayout {
  readonly root: string;
  readonly internal: string;
  readonly tempDir: string;
  readonly lockDir: string;
  readonly attributeDir: string;
  readonly journalDir: string;

  constructor(root: string) {
    this.root = path.resolve(root);
    this.internal = path.join(this.root, INTERNAL_FOLDER);
    this.tempDir = this.folderPath(TEMP_FOLDER);
    this.lockDir = this.folderPath(LOCK_FOLDER);
    this.attributeDir = this.folderPath(ATTRIBUTE_FOLDER);
    this.journalDir = this.folderPath(JOURNAL_FOLDER);
  }

  /** The file of a key. The key must have passed `assertDiskKey`, which keeps it inside the root. */
  objectPath(key: string): string {
    return path.join(this.root, ...key.split('/'));
  }

  /** The folder that holds the objects whose keys start with `folderKey` (`''` for the root). */
  folderPath(folderKey: string): string {
    return folderKey === '' ? this.root : this.objectPath(folderKey);
  }

  /** The key-like name (`/`-separated, relative to the root) of a path below the root, for messages. */
  keyOf(file: string): string {
    return path.relative(this.root, file).split(path.sep).join('/');
  }

  lockPath(key: string): string {
    return path.join(this.lockDir, `${keyDigest(key)}.lock`);
  }

  attributePath(key: string, etag: string): string {
    return path.join(this.attributeDir, `${keyDigest(key)}-${etag}.json`);
  }
}

/** The folder key of the folder holding `key` (`''` for the root). */
export function parentKey(key: string): string {
  const slash = key.lastIndexOf('/');
  return slash === -1 ? '' : key.slice(0, slash);
}

/** A fixed-length name for a key, so lock and attribute file names never hit name-length limits. */
function keyDigest(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('base64url').slice(0, 32);
}

/** Throws `ValidationError` unless `key` is a valid key outside the internal folder. */
export function assertDiskKey(key: string): void {
  assertValidKey(key);
  // A lone surrogate has no UTF-8 form: the file name would be written with U+FFFD instead.
  if (hasLoneSurrogate(key)) {
    throw new ValidationError(`invalid storage key ${JSON.stringify(key)}: it contains a lone surrogate`, {
      details: { key },
    });
  }
  if (key === INTERNAL_FOLDER || key.startsWith(`${INTERNAL_FOLDER}/`)) {
    throw new ValidationError(
      `invalid storage key ${JSON.stringify(key)}: the folder "${INTERNAL_FOLDER}" is reserved by the disk backend`,
      { details: { key } },
    );
  }
}

/**
 * Throws `ValidationError` unless `prefix` is `''` or could start a valid key. Its complete
 * segments follow the key rules; its last, partial segment may be anything a segment can start
 * with (so `'a/b '` and `'dots/.'` are fine: keys such as `'a/b c'` and `'dots/.env'` match them).
 */
export function assertDiskPrefix(prefix: string): void {
  if (typeof prefix !== 'string') throw new ValidationError('list prefix must be a string');
  if (prefix === '') return;
  const slash = prefix.lastIndexOf('/');
  const partial = prefix.slice(slash + 1);
  try {
    if (slash >= 0) assertValidPrefix(prefix.slice(0, slash + 1));
    // Framed by '_', the partial segment is checked for characters and length but not for its edges.
    if (partial !== '') assertValidKey(`_${partial}_`);
    if (hasLoneSurrogate(prefix)) throw new ValidationError('it contains a lone surrogate');
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ValidationError(`invalid list prefix ${JSON.stringify(prefix)} (${reason})`, {
      details: { prefix },
    });
  }
  if (prefix === INTERNAL_FOLDER || prefix.startsWith(`${INTERNAL_FOLDER}/`)) {
    throw new ValidationError(
      `invalid list prefix ${JSON.stringify(prefix)}: the folder "${INTERNAL_FOLDER}" is reserved by the disk backend`,
      { details: { prefix } },
    );
  }
}

function hasLoneSurrogate(text: string): boolean {
  return /\p{Surrogate}/u.test(text);
}
