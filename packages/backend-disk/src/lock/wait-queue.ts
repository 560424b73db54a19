import path from 'node:path';
import { type DiskFs, errorCode, isMissing, READ_NO_FOLLOW } from '../disk-fs.js';
import { type Owner, ownerMayBeAlive } from '../owner.js';

/** A waiter's place in the queue of one lock: a file holding the lock record it will get. */
export interface Ticket {
  file: string;
  folder: string;
}

/** What a queue needs to know of a ticket: whose it is (`undefined` when it is gone). */
export type ReadOwner = (file: string) => Promise<Owner | null | undefined>;

const TICKET = '.ticket';
const DRAFT = '.draft';
/** Attempts at joining a queue whose folder a leaving waiter removes at the same moment. */
const JOIN_ATTEMPTS = 5;

/**
 * The processes waiting for one lock file, oldest first, kept on disk next to it: a folder
 * `<lock>.queue` with one ticket per waiter, named by its arrival time. A ticket holds the lock
 * record its waiter would write. Releasing a lock hands it over to the oldest waiter still alive by
 * renaming that waiter's ticket over the lock file, so the lock is never free in between and a newly
 * arriving writer cannot overtake the queue; a waiter finds the lock naming it and owns it.
 */
export class WaitQueue {
  constructor(
    private readonly fs: DiskFs,
    private readonly readOwner: ReadOwner,
    /** Look for the queue folder with a synchronous call (see `DiskBackendOptions.syncCallMaxBytes`). */
    private readonly syncCalls: boolean,
  ) {}

  /** Joins the queue of `lockPath` with a ticket holding `record` (`token` is unique to this waiter). */
  async join(lockPath: string, record: Uint8Array, token: string): Promise<Ticket> {
    const folder = queueFolder(lockPath);
    const name = `${Date.now().toString(36).padStart(10, '0')}-${token}`;
    const draft = path.join(folder, name + DRAFT);
    const file = path.join(folder, name + TICKET);
    for (let attempt = 1; ; attempt++) {
      try {
        await this.fs.mkdir(folder).catch((error: unknown) => {
          if (errorCode(error) !== 'EEXIST') throw error;
        });
        // Written under a draft name first: a holder must never hand over a half-written record.
        const handle = await this.fs.open(draft, 'wx');
        try {
          await handle.write(record, 0, record.byteLength, 0);
        } finally {
          await handle.close();
        }
        await this.fs.rename(draft, file);
        return { file, folder };
      } catch (error) {
        await this.fs.unlink(draft).catch(() => undefined);
        if (!isMissing(error) || attempt >= JOIN_ATTEMPTS) throw error;
      }
    }
  }

  /**
   * Leaves the queue: `'left'`, or `'moved'` when the ticket was gone, i.e. a releasing holder
   * has just handed this waiter the lock.
   */
  async leave(ticket: Ticket): Promise<'left' | 'moved'> {
    let outcome: 'left' | 'moved' = 'left';
    try {
      await this.fs.unlink(ticket.file);
    } catch (error) {
      if (!isMissing(error)) throw error;
      outcome = 'moved';
    }
    // The last one out removes the folder (it fails while other tickets are in it).
    await this.fs.rmdir(ticket.folder).catch(() => undefined);
    return outcome;
  }

  /**
   * Hands the lock at `lockPath` (held by the caller) over to the oldest live waiter; `false` when
   * nobody waits. Tickets of dead waiters are removed on the way.
   */
  async handOver(lockPath: string): Promise<boolean> {
    const folder = queueFolder(lockPath);
    const sync = this.syncCalls ? this.fs.sync : undefined;
    if (sync) {
      try {
        sync.lstatSync(folder);
      } catch (error) {
        if (isMissing(error)) return false;
        throw error;
      }
    }
    let names: string[];
    try {
      names = (await this.fs.readdir(folder, { withFileTypes: true }))
        .map((entry) => (typeof entry === 'string' || entry instanceof Uint8Array ? entry : entry.name))
        .map((name) => (typeof name === 'string' ? name : new TextDecoder().decode(name)))
        .filter((name) => name.endsWith(TICKET))
        .sort();
    } catch (error) {
      if (isMissing(error) || errorCode(error) === 'ENOTDIR') return false;
      throw error;
    }
    for (const name of names) {
      const file = path.join(folder, name);
      const owner = await this.readOwner(file);
      if (owner === undefined) continue; // It left (or got the lock) meanwhile.
      if (owner !== null && !ownerMayBeAlive(owner)) {
        await this.fs.unlink(file).catch(() => undefined);
        continue;
      }
      // The record's time is when its waiter arrived: the file's time says when it got the lock,
      // so that a long wait does not make a fresh holder look stale (see `KeyLocks`).
      if (!(await this.touch(file))) continue;
      try {
        await this.fs.rename(file, lockPath);
        return true;
      } catch (error) {
        if (!isMissing(error)) throw error;
      }
    }
    return false;
  }

  /** Sets the file's modification time to now; `false` when it is gone. */
  private async touch(file: string): Promise<boolean> {
    try {
      const handle = await this.fs.open(file, READ_NO_FOLLOW);
      try {
        const now = Date.now() / 1000;
        await handle.utimes(now, now);
      } finally {
        await handle.close();
      }
      return true;
    } catch (error) {
      if (isMissing(error)) return false;
      throw error;
    }
  }
}

/** The folder of a lock's waiters. */
export function queueFolder(lockPath: string): string {
  return `${lockPath.replace(/\.lock$/, '')}.queue`;
}
