import path from 'node:path';
import { type DiskFs, type DiskStats, type DiskSyncFs, errorCode, isMissing } from './disk-fs.js';

/**
 * A symbolic link where the backend needed a real folder or file. The backend never follows one
 * (wherever it points, whoever planted it): the operation fails instead (see `wrapFsError`).
 */
export class LinkInTheWay extends Error {
  /** @param at the key (or key prefix) of the link, relative to the root */
  constructor(readonly at: string) {
    super(`a symbolic link at ${JSON.stringify(at)} leads out of the lake`);
    this.name = 'LinkInTheWay';
  }
}

/** What is at a folder's path: a real folder, nothing (or a file, which holds no objects either). */
export type FolderState = 'present' | 'missing' | 'file';

/**
 * Checks the folders between the root and an object before the backend touches anything below
 * them, since the operating system would follow a symbolic link in any of them out of the root.
 * Node has no `openat`/`O_BENEATH`, so the check is an `lstat` of each folder below the (already
 * resolved) root, made on every operation: a cache could not notice a folder swapped for a link
 * later. Objects themselves are opened with `O_NOFOLLOW`, or created with `O_EXCL`, `link` or
 * `rename`, none of which follows a link in the last component.
 *
 * With `syncCalls`, the `lstat`s are synchronous: a few microseconds each, where a thread-pool
 * round trip per folder would cost several times more.
 */
export class FolderGuard {
  private readonly sync: DiskSyncFs | undefined;
  /** The root without a trailing separator (`''` for the file system's root). */
  private readonly base: string;

  /** Whether synchronous calls are allowed (see the constructor). */
  get syncCalls(): boolean {
    return this.sync !== undefined;
  }

  constructor(
    private readonly fs: DiskFs,
    root: string,
    syncCalls: boolean,
  ) {
    this.sync = syncCalls ? fs.sync : undefined;
    this.base = root.endsWith(path.sep) ? root.slice(0, -1) : root;
  }

  /** The folder holding `key` (`''` for the root): throws `LinkInTheWay` at the first link on the way. */
  async check(folderKey: string): Promise<FolderState> {
    if (folderKey === '') return 'present';
    if (this.sync) return this.checkSync(folderKey);
    // One at a time, top-down: looking up a folder's child through a link would already reach
    // outside the root (a stat is a read too).
    for (const prefix of prefixesOf(folderKey)) {
      const state = judge(await lstatOrMissing(this.fs, this.pathOf(prefix)), prefix);
      if (state !== 'present') return state;
    }
    return 'present';
  }

  /** `check` with synchronous calls (the fs must have them). */
  checkSync(folderKey: string): FolderState {
    const sync = this.sync ?? (this.fs.sync as DiskSyncFs);
    let at = this.base;
    let start = 0;
    for (;;) {
      const end = folderKey.indexOf('/', start);
      at += path.sep + folderKey.slice(start, end === -1 ? undefined : end);
      const prefix = end === -1 ? folderKey : folderKey.slice(0, end);
      const state = judge(lstatSyncOrMissing(sync, at), prefix);
      if (state !== 'present' || end === -1) return state;
      start = end + 1;
    }
  }

  /**
   * Makes sure the folder exists and is reached through real folders only, creating what is
   * missing one level at a time (`mkdir` does not follow a link in its last component). A file on
   * the way fails with `ENOTDIR`, as the operating system would.
   */
  async ensure(folderKey: string): Promise<void> {
    const state = await this.check(folderKey);
    if (state === 'present') return;
    if (state === 'file') throw notAFolder(folderKey);
    for (const prefix of prefixesOf(folderKey)) {
      const at = this.pathOf(prefix);
      for (let attempt = 0; ; attempt++) {
        const found = judge(await this.lstatOrMissing(at), prefix);
        if (found === 'present') break;
        if (found === 'file') throw notAFolder(prefix);
        try {
          await this.mkdir(at);
          break;
        } catch (error) {
          // Made by a concurrent writer in the meantime: look again at what it is.
          if (errorCode(error) !== 'EEXIST' || attempt > 0) throw error;
        }
      }
    }
  }

  /** `ensure` with synchronous calls (the fs must have them). */
  ensureSync(folderKey: string): void {
    const sync = this.sync ?? (this.fs.sync as DiskSyncFs);
    const state = this.checkSync(folderKey);
    if (state === 'present') return;
    if (state === 'file') throw notAFolder(folderKey);
    for (const prefix of prefixesOf(folderKey)) {
      const at = this.pathOf(prefix);
      for (let attempt = 0; ; attempt++) {
        const found = judge(lstatSyncOrMissing(sync, at), prefix);
        if (found === 'present') break;
        if (found === 'file') throw notAFolder(prefix);
        try {
          sync.mkdirSync(at);
          break;
        } catch (error) {
          if (errorCode(error) !== 'EEXIST' || attempt > 0) throw error;
        }
      }
    }
  }

  /** Throws `LinkInTheWay` if the file at `key` is a symbolic link. */
  static refuseLink(stats: DiskStats | null, key: string): void {
    if (stats?.isSymbolicLink()) throw new LinkInTheWay(key);
  }

  private pathOf(prefix: string): string {
    return this.base + path.sep + prefix.split('/').join(path.sep);
  }

  private lstatOrMissing(file: string): Promise<DiskStats | null> {
    return this.sync ? Promise.resolve(lstatSyncOrMissing(this.sync, file)) : lstatOrMissing(this.fs, file);
  }

  /** Through the thread pool: `ensure` also serves durable writes, which keep off synchronous writes. */
  private async mkdir(folder: string): Promise<void> {
    await this.fs.mkdir(folder);
  }
}

/** `'a/b/c'` → `['a', 'a/b', 'a/b/c']`. */
function prefixesOf(folderKey: string): string[] {
  const prefixes: string[] = [];
  for (let end = folderKey.indexOf('/'); end !== -1; end = folderKey.indexOf('/', end + 1))
    prefixes.push(folderKey.slice(0, end));
  prefixes.push(folderKey);
  return prefixes;
}

function judge(stats: DiskStats | null, prefix: string): FolderState {
  if (stats === null) return 'missing';
  if (stats.isSymbolicLink()) throw new LinkInTheWay(prefix);
  return stats.isDirectory() ? 'present' : 'file';
}

async function lstatOrMissing(fs: DiskFs, file: string): Promise<DiskStats | null> {
  try {
    return await fs.lstat(file);
  } catch (error) {
    if (isMissing(error)) return null;
    throw error;
  }
}

function lstatSyncOrMissing(sync: DiskSyncFs, file: string): DiskStats | null {
  try {
    return sync.lstatSync(file);
  } catch (error) {
    if (isMissing(error)) return null;
    throw error;
  }
}

function notAFolder(prefix: string): NodeJS.ErrnoException {
  const error = new Error(`ENOTDIR: "${prefix}" is a file, not a folder`) as NodeJS.ErrnoException;
  error.code = 'ENOTDIR';
  return error;
}
