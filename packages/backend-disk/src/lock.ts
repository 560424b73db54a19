import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { BackendError } from '@datalake/core';
import { type FolderGuard, LinkInTheWay } from './containment.js';
import { type DiskFs, errorCode, isNoFollowRefusal, linksUnsupported, readFileNoFollow } from './disk-fs.js';
import { mtimeNanoseconds } from './etag.js';
import { type DiskLayout, LOCK_FOLDER, TEMP_FOLDER } from './layout.js';
import { LocalTurns } from './lock/local-turns.js';
import { WaitQueue } from './lock/wait-queue.js';
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
  /**
   * Set in a waiter's ticket (see `WaitQueue`): `time` is then when it started waiting, and the
   * file's modification time when it was handed the lock.
   */
  queued?: true;
}

export interface HeldLock {
  path: string;
  token: string;
  /** When we took it (ms since the epoch). */
  since: number;
}

/** Longest pause between two looks of a queued waiter at the lock: a handed-over lock idles until then. */
const MAX_POLL_MS = 10;

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
  private readonly turns = new LocalTurns();
  private readonly queue: WaitQueue;

  constructor(
    private readonly fs: DiskFs,
    private readonly layout: DiskLayout,
    private readonly guard: FolderGuard,
    private readonly timings: LockTimings,
  ) {
    this.queue = new WaitQueue(fs, (file) => this.readRecord(file), guard.syncCalls);
  }

  /**
   * Takes the lock on `key`, waiting at most `waitMs`. Waiters are served about in arrival order:
   * within a process they queue in memory (see `LocalTurns`), across processes in a queue on disk
   * to which a releasing holder hands the lock over (see `WaitQueue`).
   */
  async acquire(key: string): Promise<HeldLock> {
    const path = this.layout.lockPath(key);
    const deadline = Date.now() + this.timings.waitMs;
    if (!(await this.turns.take(path, deadline))) throw this.timedOut(key, path);
    try {
      return await this.acquireFile(path, key, deadline);
    } catch (error) {
      this.turns.pass(path);
      throw error;
    }
  }

  async release(lock: HeldLock): Promise<void> {
    try {
      // Only a lock held for about `staleMs` can have been broken and taken by someone else, whose
      // lock file is not ours to remove; checking costs a read, so it is done only then.
      if (Date.now() - lock.since > this.timings.staleMs / 2) {
        const record = await this.readRecord(lock.path);
        if (record !== undefined && record !== null && record.token !== lock.token) return;
      }
      if (await this.queue.handOver(lock.path)) return;
      await this.fs.unlink(lock.path).catch(ignoreMissing);
    } finally {
      this.turns.pass(lock.path);
    }
  }

  /** The lock file for this process's turn: taken at once when free, else after queueing on disk. */
  private async acquireFile(path: string, key: string, deadline: number): Promise<HeldLock> {
    await this.guard.ensure(LOCK_FOLDER);
    const token = randomBytes(12).toString('base64url');
    const held = () => ({ path, token, since: Date.now() });
    if (await this.tryCreate(path, token)) return held();
    const ticket = await this.queue.join(path, this.recordBytes(token, true), token);
    let inQueue = true;
    try {
      let pause = 1;
      for (;;) {
        const record = await this.readRecord(path);
        if (record?.token === token) return held(); // Handed over by the previous holder.
        if (record === undefined) {
          // Free while others wait only if its holder died or a release missed the queue.
          if (await this.tryCreate(path, token)) return held();
        } else if (await this.breakIfAbandoned(path)) continue;
        if (Date.now() >= deadline) {
          inQueue = false;
          if ((await this.queue.leave(ticket)) === 'moved' && (await this.readRecord(path))?.token === token)
            return held();
          throw this.timedOut(key, path);
        }
        await sleep(pause + Math.random() * pause);
        pause = Math.min(pause * 2, MAX_POLL_MS);
      }
    } finally {
      // Never fails the acquire: a ticket that could not be removed is at worst handed the lock
      // later, which is then broken as stale (see `isAbandoned`).
      if (inQueue) await this.queue.leave(ticket).catch(() => undefined);
    }
  }

  private timedOut(key: string, path: string): BackendError {
    return new BackendError(
      `disk backend: timed out after ${this.timings.waitMs} ms waiting for the lock on key ${JSON.stringify(key)}`,
      { details: { key, lockFile: path } },
    );
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
    const bytes = this.recordBytes(token);
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

  /** A finished lock record naming this process as holder. */
  private recordBytes(token: string, queued = false): Uint8Array {
    const record: LockRecord = { ...currentOwner(), time: Date.now(), token };
    return encoder.encode(JSON.stringify(queued ? { ...record, queued: true } : record));
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
    if (record && !ownerMayBeAlive(record)) return true;
    if (record && record.queued !== true) return Date.now() - record.time > this.timings.staleMs;
    // A lock handed over from a queue: its file's time says when (see `WaitQueue.handOver`). And
    // with no readable record yet, the file's age says how long its holder has been writing it.
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
