import { constants } from 'node:fs';
import { dirname } from 'node:path';

/**
 * The slice of a promise-based file system API that `DiskBackend` uses. Node's `node:fs/promises`
 * and memfs's `vol.promises` both satisfy it, so tests can run the backend on an in-memory volume
 * (and wrap that volume to inject faults).
 */

/** Numbers a stat call returns: plain numbers, or bigints where the backend asks for them (timestamp probe). */
type StatNumber = number | bigint;

export interface DiskStats {
  ino: StatNumber;
  size: StatNumber;
  mtimeMs: StatNumber;
  /** Present on Node's bigint stats (and memfs's); the backend falls back to `mtimeMs`. */
  mtimeNs?: bigint;
  isFile(): boolean;
  isDirectory(): boolean;
  isSymbolicLink(): boolean;
}

export interface DiskDirent {
  name: string | Uint8Array;
  isFile(): boolean;
  isDirectory(): boolean;
}

export interface DiskFileHandle {
  /** The file descriptor, where the file system has one (for `DiskSyncFs` calls on an open file). */
  readonly fd?: number;
  write(
    buffer: Uint8Array,
    offset: number,
    length: number,
    position: number | null,
  ): Promise<{ bytesWritten: number }>;
  read(buffer: Uint8Array, offset: number, length: number, position: number): Promise<{ bytesRead: number }>;
  stat(options?: { bigint: boolean }): Promise<DiskStats>;
  /** Sets access and modification times, in seconds since the epoch (fractions allowed). */
  utimes(atime: number, mtime: number): Promise<void>;
  /** fdatasync: flushes the data (and the metadata needed to read it back). */
  datasync(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Synchronous calls the backend makes instead of thread-pool round trips where a call costs
 * microseconds: writing small objects without fsync, and stat'ing the objects of a listing page.
 * Node's `node:fs` and a memfs `Volume` both provide them.
 */
export interface DiskSyncFs {
  /** `flags` as for `DiskFs.open`. Returns a file descriptor. */
  openSync(path: string, flags: OpenFlags): number;
  writeSync(fd: number, buffer: Uint8Array, offset: number, length: number, position: number): number;
  /** Returns the number of bytes read (0 at the end of the file). */
  readSync(fd: number, buffer: Uint8Array, offset: number, length: number, position: number): number;
  /** Sets access and modification times, in seconds since the epoch (fractions allowed). */
  futimesSync(fd: number, atime: number, mtime: number): void;
  fstatSync(fd: number): DiskStats;
  closeSync(fd: number): void;
  linkSync(existingPath: string, newPath: string): void;
  unlinkSync(path: string): void;
  lstatSync(path: string): DiskStats;
  /** Creates one folder. */
  mkdirSync(path: string): unknown;
}

/**
 * How the backend opens files: `'wx'` (create exclusively; never follows a symbolic link) or
 * `READ_NO_FOLLOW` (Node's `O_RDONLY | O_NOFOLLOW`: read, failing with `ELOOP` on a symbolic link;
 * also used to fsync a folder).
 */
export type OpenFlags = 'wx' | number;

/** Read-only, and fail (`ELOOP`) rather than follow a symbolic link in the last component. */
export const READ_NO_FOLLOW: number = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0);

export interface DiskFs {
  open(path: string, flags: OpenFlags): Promise<DiskFileHandle>;
  lstat(path: string, options?: { bigint: boolean }): Promise<DiskStats>;
  readdir(
    path: string,
    options: { withFileTypes: true },
  ): Promise<ReadonlyArray<DiskDirent | string | Uint8Array>>;
  /** Creates one folder (never called with `recursive`: see `makeFolders`). */
  mkdir(path: string): Promise<unknown>;
  rename(from: string, to: string): Promise<void>;
  link(existingPath: string, newPath: string): Promise<void>;
  unlink(path: string): Promise<void>;
  rmdir(path: string): Promise<void>;
  /**
   * Resolves symbolic links in a path. Used once, to find the real folder of the root; without it
   * the root is used as given.
   */
  realpath?(path: string): Promise<string | Uint8Array>;
  /** When present, used for small reads, small unsynced writes and for stat'ing listings (see `DiskSyncFs`). */
  sync?: DiskSyncFs;
}

/** The errno code of a file-system error (`'ENOENT'`, ...), or `undefined` for anything else. */
export function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined;
  const code = (error as { code: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

export function isMissing(error: unknown): boolean {
  const code = errorCode(error);
  return code === 'ENOENT' || code === 'ENOTDIR';
}

/** How `open` with `O_NOFOLLOW` refuses a symbolic link (`EMLINK` on FreeBSD). */
export function isNoFollowRefusal(error: unknown): boolean {
  const code = errorCode(error);
  return code === 'ELOOP' || code === 'EMLINK';
}

/** A whole (small) file, opened without following a symbolic link in its last component. */
export async function readFileNoFollow(fs: DiskFs, file: string): Promise<Uint8Array> {
  const handle = await fs.open(file, READ_NO_FOLLOW);
  try {
    const size = Number((await handle.stat()).size);
    const bytes = new Uint8Array(size);
    let filled = 0;
    while (filled < size) {
      const { bytesRead } = await handle.read(bytes, filled, size - filled, filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    return filled === size ? bytes : bytes.subarray(0, filled);
  } finally {
    await handle.close();
  }
}

/** `readFileNoFollow` with synchronous calls. */
export function readFileNoFollowSync(sync: DiskSyncFs, file: string): Uint8Array {
  const fd = sync.openSync(file, READ_NO_FOLLOW);
  try {
    const size = Number(sync.fstatSync(fd).size);
    const bytes = new Uint8Array(size);
    let filled = 0;
    while (filled < size) {
      const count = sync.readSync(fd, bytes, filled, size - filled, filled);
      if (count === 0) break;
      filled += count;
    }
    return filled === size ? bytes : bytes.subarray(0, filled);
  } finally {
    sync.closeSync(fd);
  }
}

/**
 * `mkdir -p` in a bounded number of steps, for the root folder (folders below it are made by
 * `FolderGuard.ensure`, which refuses symbolic links). Node's own recursive mkdir can loop forever
 * where a parent exists but a child can never be created (seen under /proc), hanging the caller.
 */
export async function makeFolders(fs: DiskFs, folder: string): Promise<void> {
  const mkdir = (path: string) => fs.mkdir(path);
  const missing: string[] = [];
  for (let current = folder; ; current = dirname(current)) {
    try {
      await mkdir(current);
      break;
    } catch (error) {
      const code = errorCode(error);
      if (code === 'EEXIST') break;
      if (code !== 'ENOENT' || dirname(current) === current) throw error;
      missing.push(current);
    }
  }
  for (const child of missing.reverse()) {
    try {
      await mkdir(child);
    } catch (error) {
      if (errorCode(error) !== 'EEXIST') throw error;
    }
  }
}

/** Codes with which `link` says hard links are not available here. */
const LINK_UNSUPPORTED = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EXDEV', 'EMLINK']);

/** Whether a failed `link` means this file system has no hard links (rather than a real failure). */
export function linksUnsupported(code: string | undefined): boolean {
  return code !== undefined && LINK_UNSUPPORTED.has(code);
}
