import path from 'node:path';
import type { DiskFileHandle, DiskFs, DiskSyncFs } from '../disk-fs.js';
import { currentOwner, type Owner } from '../owner.js';
import { encodeRecord, type JournalRecord } from './record.js';

/** The journal file grows in steps of zeros written ahead, so that a record overwrites allocated space. */
const EXTEND_BYTES = 4 * 1024 * 1024;
const ZEROS = new Uint8Array(EXTEND_BYTES);
/** Past this size a journal is replaced by a fresh one and checkpointed (see `WriteAheadJournal`). */
export const ROTATE_BYTES = 32 * 1024 * 1024;

/** Makes the objects a journal names durable on their own (fsync of the files and their folders). */
export type Checkpoint = (keys: ReadonlySet<string>) => Promise<void>;

let journalCounter = 0;

/** `<host>~<pid>~<n>.wal`: names its writer, like temp files do, so recovery knows when it is gone. */
export function journalFileName(owner: Owner = currentOwner()): string {
  journalCounter++;
  return `${encodeURIComponent(owner.host)}~${owner.pid}~${Date.now().toString(36)}${journalCounter.toString(36)}.wal`;
}

/** The writer recorded in a journal file name, or `undefined` if the name is not one of ours. */
export function ownerOfJournal(name: string): Owner | undefined {
  const match = /^([^~]*)~(\d+)~[0-9a-z]+\.wal$/.exec(name);
  if (!match) return undefined;
  try {
    return { host: decodeURIComponent(match[1] as string), pid: Number(match[2]) };
  } catch {
    return undefined;
  }
}

interface Waiter {
  key: string;
  bytes: Uint8Array;
  resolve(): void;
  reject(error: unknown): void;
}

/** One open journal file: where the next record goes, and how far zeros were written ahead. */
interface OpenJournal {
  file: string;
  handle: DiskFileHandle;
  end: number;
  allocated: number;
  /** Keys of the objects its records wrote or removed: what a checkpoint makes durable. */
  keys: Set<string>;
}

/**
 * A write-ahead journal with group commit. Each record (a put's key, stamp and bytes, or a delete)
 * is appended to one file per backend instance; one `fdatasync` of that file makes every record
 * appended before it durable, however many writers wait for it. So a write is durable once its
 * record is, and the object files themselves need no fsync of their own until a checkpoint: when
 * the journal passes `ROTATE_BYTES`, and at `close`, the objects it names are fsynced and the
 * journal file is removed. After an OS crash, recovery replays the journals that are left
 * (see `recoverJournals`).
 */
export class WriteAheadJournal {
  private current: OpenJournal | undefined;
  private queue: Waiter[] = [];
  private flushing: Promise<void> | undefined;
  private readonly checkpoints = new Set<Promise<void>>();

  constructor(
    private readonly fs: DiskFs,
    private readonly folder: string,
    private readonly ensureFolder: () => Promise<void>,
    private readonly checkpoint: Checkpoint,
  ) {}

  /**
   * Appends a record; the promise resolves once it is durable. Records are written in the order of
   * the calls, so a durable record means every earlier one is durable too.
   */
  append(record: JournalRecord): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ key: record.key, bytes: encodeRecord(record), resolve, reject });
      this.flushing ??= this.flushLoop();
    });
  }

  /**
   * Queues a record without asking for a flush: it is written and made durable with the next
   * `append` (or at `close`), before that record. The promise rejects if that flush fails.
   */
  appendDeferred(record: JournalRecord): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ key: record.key, bytes: encodeRecord(record), resolve, reject });
    });
  }

  /**
   * Keeps checkpoints waiting until the returned release is called: taken by a write that places its
   * object after its record is durable, so that no checkpoint fsyncs the key before the object is there.
   */
  hold(): () => void {
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    this.holds.add(held);
    return () => {
      release();
      this.holds.delete(held);
    };
  }

  private readonly holds = new Set<Promise<void>>();

  /** Waits for queued records, checkpoints what the journal names and removes it. */
  async close(): Promise<void> {
    if (this.queue.length > 0) this.flushing ??= this.flushLoop();
    await this.flushing;
    const current = this.current;
    this.current = undefined;
    if (current) await this.retire(current);
    await Promise.all(this.checkpoints);
  }

  private async flushLoop(): Promise<void> {
    try {
      // Writers that reach the journal while a flush runs share the next one.
      while (this.queue.length > 0) {
        const batch = this.queue;
        this.queue = [];
        try {
          await this.write(batch);
          for (const waiter of batch) waiter.resolve();
        } catch (error) {
          for (const waiter of batch) waiter.reject(error);
          // The file's state after a failed write or fsync is unknown: later records go to a new one.
          const broken = this.current;
          this.current = undefined;
          if (broken) await broken.handle.close().catch(() => undefined);
        }
        if (this.current && this.current.end >= ROTATE_BYTES) {
          const full = this.current;
          this.current = undefined;
          const done = this.retire(full).catch(() => undefined);
          this.checkpoints.add(done);
          void done.then(() => this.checkpoints.delete(done));
        }
      }
    } finally {
      this.flushing = undefined;
    }
  }

  private async write(batch: readonly Waiter[]): Promise<void> {
    const journal = this.current ?? (await this.open());
    const size = batch.reduce((sum, waiter) => sum + waiter.bytes.byteLength, 0);
    const bytes = new Uint8Array(size);
    let at = 0;
    for (const waiter of batch) {
      journal.keys.add(waiter.key);
      bytes.set(waiter.bytes, at);
      at += waiter.bytes.byteLength;
    }
    if (journal.end + size > journal.allocated) {
      const grow = Math.max(EXTEND_BYTES, journal.end + size - journal.allocated);
      await writeAll(
        journal.handle,
        grow <= ZEROS.byteLength ? ZEROS : new Uint8Array(grow),
        journal.allocated,
      );
      journal.allocated += grow;
    }
    // Records are small: copied into the page cache right here, so a commit costs one thread-pool
    // round trip (the flush) instead of two.
    const sync = this.fs.sync;
    const fd = journal.handle.fd;
    if (sync && typeof fd === 'number') writeAllSync(sync, fd, bytes, journal.end);
    else await writeAll(journal.handle, bytes, journal.end);
    await journal.handle.datasync();
    journal.end += size;
  }

  private async open(): Promise<OpenJournal> {
    await this.ensureFolder();
    const file = path.join(this.folder, journalFileName());
    const handle = await this.fs.open(file, 'wx');
    this.current = { file, handle, end: 0, allocated: 0, keys: new Set() };
    return this.current;
  }

  /** Makes what a journal names durable on its own, then removes the journal. */
  private async retire(journal: OpenJournal): Promise<void> {
    await Promise.all([...this.holds]);
    await journal.handle.close().catch(() => undefined);
    await this.checkpoint(journal.keys);
    await this.fs.unlink(journal.file).catch(() => undefined);
  }
}

function writeAllSync(sync: DiskSyncFs, fd: number, bytes: Uint8Array, position: number): void {
  let offset = 0;
  while (offset < bytes.byteLength) {
    const written = sync.writeSync(fd, bytes, offset, bytes.byteLength - offset, position + offset);
    if (written <= 0) throw new Error('the file system accepted no bytes');
    offset += written;
  }
}

async function writeAll(handle: DiskFileHandle, bytes: Uint8Array, position: number): Promise<void> {
  let offset = 0;
  while (offset < bytes.byteLength) {
    const { bytesWritten } = await handle.write(bytes, offset, bytes.byteLength - offset, position + offset);
    if (bytesWritten <= 0) throw new Error('the file system accepted no bytes');
    offset += bytesWritten;
  }
}
