import { createHash } from 'node:crypto';
import path from 'node:path';
import { ValidationError } from '@datalake/core';

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

  /** The file of a key. The key must be valid (core's front checks it), which keeps it inside the root. */
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

/**
 * Throws `ValidationError` when a key (or list prefix) lies in the backend's internal folder. Core's
 * front has already checked that it is a valid key (or prefix), which keeps it inside the root.
 */
export function assertOutsideInternalFolder(key: string, what = 'storage key'): void {
  if (key === INTERNAL_FOLDER || key.startsWith(`${INTERNAL_FOLDER}/`)) {
    throw new ValidationError(
      `invalid ${what} ${JSON.stringify(key)}: the folder "${INTERNAL_FOLDER}" is reserved by the disk backend`,
      { details: what === 'storage key' ? { key } : { prefix: key } },
    );
  }
}
