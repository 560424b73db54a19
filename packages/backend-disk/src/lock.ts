import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { BackendError } from '@datalake/core';
import { type FolderGuard, LinkInTheWay } from './containment.js';
import { type DiskFs, errorCode, isNoFollowRefusal, linksUnsupported, readFileNoFollow } from './disk-fs.js';
import { mtimeNanoseconds } from './etag.js';
import { type DiskLayout, LOCK_FOLDER, TEMP_FOLDER } from './layout.js';
import { currentOwner, type Owner, ownerMayBeAlive, tempFileName } from './owner.js';

export interface LockTimings {
  /** How long `acquire` waits for a busy lock before giving up. */
  waitMs: number;
  /** A lock older than this is considered abandoned, whoever holds it. */
  staleMs: number;
}

interface LockRecord extends Owner {
  /** When the lock was taken, in ms since the epoch. */
  time: number;
  /** Tells this holder's lock file apart from a later one at the same path. */
  token: string;
}

export interface HeldLock {
  path: string;
  token: string;
  /** When we took it (ms since the epoch). */
  since: number;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * Per-key mutual exclusion across processes: a lock file, linked into place whole, that records
 * host, pid and time. A lock whose holder died (same host, pid gone) or that outlived `staleMs` is
 * broken; waiting for a live one is bounded by `waitMs`.
 */
export class KeyLocks {
  /** Cleared the first time `link` says this file system has no hard links. */
  private linksWork = true;

  constructor(
    private readonly fs: DiskFs,
    private readonly layout: DiskLayout,
    private readonly guard: FolderGuard,
    private readonly timings: LockTimings,
  ) {}

  async acquire(key: string): Promise<HeldLock> {
    const path = this.layout.lockPath(key);
    await this.guard.ensure(LOCK_FOLDER);
    const deadline = Date.now() + this.timings.waitMs;
    let pause = 1;
    for (;;) {
      const token = randomBytes(12).toString('base64url');
      if (await this.tryCreate(path, token)) return { path, token, since: Date.now() };
      if (await this.breakIfAbandoned(path)) continue;
      if (Date.now() >= deadline) {
        throw new BackendError(
          `disk backend: timed out after ${this.timings.waitMs} ms waiting for the lock on key ${JSON.stringify(key)}`,
          { details: { key, lockFile: path } },
        );
      }
      await sleep(pause + Math.random() * pause);
      pause = Math.min(pause * 2, 25);
    }
  }

  async release(lock: HeldLock): Promise<void> {
    // Only a lock held for about `staleMs` can have been broken and taken by someone else, whose
    // lock file is not ours to remove; checking costs a read, so it is done only then.
    if (Date.now() - lock.since > this.timings.staleMs / 2) {
      const record = await this.readRecord(lock.path);
      if (record !== undefined && record !== null && record.token !== lock.token) return;
    }
    await this.fs.unlink(lock.path).catch(ignoreMissing);
  }

  /** Removes the lock file at `path` if its holder is gone; `true` when the path is now free. */
  async breakIfAbandoned(path: string): Promise<boolean> {
    const record = await this.readRecord(path);
    if (record === undefined) return true;
    if (!(await this.isAbandoned(path, record))) return false;
    // Move the file aside first, then make sure we moved the lock we judged (not a fresh one).
    const aside = `${path}.${randomBytes(6).toString('hex')}.broken`;
    try {
      await this.fs.rename(path, aside);
    } catch (error) {
      ignoreMissing(error);
      return true;
    }
    const moved = await this.readRecord(aside);
    const same = moved === record || (moved && record && moved.token === record.token);
    if (!same) await this.fs.link(aside, path).catch(() => undefined);
    await this.fs.unlink(aside).catch(ignoreMissing);
    return Boolean(same);
  }

  /**
   * Takes the lock by linking a finished record into place, so a lock file always names its holder
   * and one whose holder was killed mid-acquire is seen as abandoned at once (an empty file created
   * with O_EXCL would look busy until it grew stale). Without hard links, the record is written into
   * a file created with O_EXCL.
   */
  private async tryCreate(path: string, token: string): Promise<boolean> {
    const bytes = encoder.encode(
      JSON.stringify({ ...currentOwner(), time: Date.now(), token } satisfies LockRecord),
    );
    if (this.linksWork) {
      const draft = join(this.layout.tempDir, tempFileName());
      await this.guard.ensure(TEMP_FOLDER);
      await this.writeNew(draft, bytes);
      try {
        await this.fs.link(draft, path);
        return true;
      } catch (error) {
        const code = errorCode(error);
        if (code === 'EEXIST') return false;
        if (code === 'ENOENT') return this.lockFolderWasMissing();
        if (!linksUnsupported(code)) throw error;
        this.linksWork = false;
      } finally {
        await this.fs.unlink(draft).catch(ignoreMissing);
      }
    }
    try {
      await this.writeNew(path, bytes);
      return true;
    } catch (error) {
      const code = errorCode(error);
      if (code === 'EEXIST') return false;
      if (code === 'ENOENT') return this.lockFolderWasMissing();
      throw error;
    }
  }

  private async lockFolderWasMissing(): Promise<false> {
    await this.guard.ensure(LOCK_FOLDER);
    return false;
  }

  private async writeNew(path: string, bytes: Uint8Array): Promise<void> {
    const handle = await this.fs.open(path, 'wx');
    try {
      await handle.write(bytes, 0, bytes.byteLength, 0);
    } finally {
      await handle.close();
    }
  }

  /** The record in a lock file: `undefined` if there is no file, `null` if it is unreadable (being written, or torn). */
  private async readRecord(path: string): Promise<LockRecord | null | undefined> {
    let text: string;
    try {
      text = decoder.decode(await readFileNoFollow(this.fs, path));
    } catch (error) {
      if (isNoFollowRefusal(error)) throw new LinkInTheWay(this.layout.keyOf(path));
      ignoreMissing(error);
      return undefined;
    }
    try {
      const value = JSON.parse(text) as Partial<LockRecord>;
      const valid =
        typeof value.host === 'string' &&
        typeof value.pid === 'number' &&
        typeof value.time === 'number' &&
        typeof value.token === 'string';
      return valid ? (value as LockRecord) : null;
    } catch {
      return null;
    }
  }

  private async isAbandoned(path: string, record: LockRecord | null): Promise<boolean> {
    if (record) return !ownerMayBeAlive(record) || Date.now() - record.time > this.timings.staleMs;
    // No readable record yet: judge by the file's age (its holder may be writing it right now).
    try {
      const stats = await this.fs.lstat(path, { bigint: true });
      const ageMs = Date.now() - Number(mtimeNanoseconds(stats) / 1_000_000n);
      return ageMs > this.timings.staleMs;
    } catch (error) {
      ignoreMissing(error);
      return true;
    }
  }
}

export function ignoreMissing(error: unknown): void {
  if (errorCode(error) !== 'ENOENT') throw error;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
