import type { StorageBackend } from '@datalake/model';
import { DataLakeError, ValidationError } from '@datalake/model';
import { compactJournal } from './change-compactor.js';
import { isNotableKey, writerOfInstance } from './change-notes.js';
import { type ChangeBatch, ChangeReader } from './change-reader.js';
import { ChangeWriter } from './change-writer.js';

export interface ChangeJournalOptions {
  /**
   * How far back (ms) each refresh looks again before where the previous one started: the clock
   * skew between instances plus the longest a note's write may take. Default 10 s.
   */
  windowMs?: number;
  /** Notes older than this (ms) are deleted; an instance that did not refresh for half of it reloads everything. Default 10 minutes. */
  retentionMs?: number;
  /**
   * Every this many ms a refresh lists every record anyway (default 10 minutes): it picks up writes
   * whose note was lost (a writer that crashed between its commit and its note, or one that writes
   * no notes).
   */
  fullRefreshMs?: number;
  /** The clock (tests). */
  now?: () => number;
}

/**
 * Keys under `prefix` that other instances noted as changed since the last refresh, or `undefined`
 * when the journal cannot tell (a full reload is due): everything under the prefix may have changed.
 */
export type KeyChangeListener = (keys: string[] | undefined) => Promise<void>;

/**
 * Shares changes of the lake's bookkeeping objects (access tokens and the like) between instances
 * through the change journal, so followers stay current at the cost of the changes, not of a listing.
 */
export interface ChangeFeed {
  /** Notes that the object at `key` (under a reserved prefix) changed; resolves once the note is stored. */
  noteKeyChange(key: string): Promise<void>;
  /**
   * Calls `listener` during each `refresh()` with the keys under `prefix` other instances noted; a
   * refresh whose listener fails fails too, and the next one hands the same keys again. Returns the
   * function that stops following.
   */
  followKeys(prefix: string, listener: KeyChangeListener): () => void;
}

const DEFAULTS = { windowMs: 10_000, retentionMs: 10 * 60_000, fullRefreshMs: 10 * 60_000 };

/**
 * The change journal of one lake instance: notes its own commits (`noteChange`), tells what other
 * instances changed since the last refresh (`changes`), says when a full reload is due instead, and
 * now and then deletes notes older than the retention.
 */
export class ChangeJournal implements ChangeFeed {
  private readonly followers = new Set<{ prefix: string; listener: KeyChangeListener }>();
  private readonly writer: ChangeWriter;
  private readonly reader: ChangeReader;
  private readonly settings: typeof DEFAULTS;
  private readonly now: () => number;
  private lastFullLoad = Number.NEGATIVE_INFINITY;
  private lastCompaction = Number.NEGATIVE_INFINITY;
  private compaction: Promise<void> | undefined;

  constructor(
    private readonly backend: StorageBackend,
    instance: string,
    private readonly notice: (message: string) => void,
    options: ChangeJournalOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    this.settings = {
      windowMs: durationOption('windowMs', options.windowMs, DEFAULTS.windowMs),
      retentionMs: durationOption('retentionMs', options.retentionMs, DEFAULTS.retentionMs),
      fullRefreshMs: durationOption('fullRefreshMs', options.fullRefreshMs, DEFAULTS.fullRefreshMs),
    };
    if (this.settings.retentionMs < 4 * this.settings.windowMs)
      throw new ValidationError('changeJournal.retentionMs must be at least 4 times windowMs');
    const writer = writerOfInstance(instance);
    let failureReported = false;
    this.writer = new ChangeWriter(
      backend,
      writer,
      (error) => {
        if (failureReported) return;
        failureReported = true;
        this.notice(
          `could not write a change note (${errorMessage(error)}): other instances see such changes at their next full refresh`,
        );
      },
      this.now,
    );
    this.reader = new ChangeReader(backend, writer, {
      windowMs: this.settings.windowMs,
      maxGapMs: this.settings.retentionMs / 2,
      now: this.now,
    });
  }

  /** Records that this instance committed a change of entry `id`; resolves once the note is stored. */
  noteChange(id: string): Promise<void> {
    this.compactNowAndThen();
    return this.writer.note(id);
  }

  noteKeyChange(key: string): Promise<void> {
    if (!isNotableKey(key))
      throw new ValidationError(
        `only keys of the lake's bookkeeping can be noted, got ${JSON.stringify(key)}`,
      );
    this.compactNowAndThen();
    return this.writer.noteKey(key);
  }

  followKeys(prefix: string, listener: KeyChangeListener): () => void {
    const follower = { prefix, listener };
    this.followers.add(follower);
    return () => this.followers.delete(follower);
  }

  /** The time a full load starts at; pass it to `fullLoadDone` once the load is applied. */
  fullLoadStarting(): number {
    return this.now();
  }

  fullLoadDone(startedAt: number): void {
    this.lastFullLoad = startedAt;
    this.reader.restart(startedAt);
  }

  /** What other instances changed since the last refresh, or `undefined` when a full load is due. */
  async changes(): Promise<ChangeBatch | undefined> {
    if (this.now() - this.lastFullLoad >= this.settings.fullRefreshMs) {
      await this.tellFollowers(undefined);
      return undefined;
    }
    this.compactNowAndThen();
    const batch = await this.reader.read();
    await this.tellFollowers(batch?.keys);
    return batch;
  }

  private async tellFollowers(keys: string[] | undefined): Promise<void> {
    await Promise.all(
      [...this.followers].map(({ prefix, listener }) => {
        if (keys === undefined) return listener(undefined);
        const mine = keys.filter((key) => key.startsWith(prefix));
        return mine.length > 0 ? listener(mine) : undefined;
      }),
    );
  }

  /** Waits for notes and a compaction in flight. */
  async close(): Promise<void> {
    await this.writer.flush();
    await this.compaction;
  }

  /** Compacts in the background, at most every quarter of the retention per instance. */
  private compactNowAndThen(): void {
    const now = this.now();
    if (this.compaction || now - this.lastCompaction < this.settings.retentionMs / 4) return;
    this.lastCompaction = now;
    this.compaction = compactJournal(this.backend, now - this.settings.retentionMs)
      .then(
        () => {},
        (error: unknown) => {
          // A read-only or failing backend: the notes stay until an instance that can delete them comes.
          if (!(error instanceof DataLakeError))
            this.notice(`change journal compaction failed: ${errorMessage(error)}`);
        },
      )
      .finally(() => {
        this.compaction = undefined;
      });
  }
}

function durationOption(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value <= 0)
    throw new ValidationError(
      `changeJournal.${name} must be a positive number of milliseconds, got ${String(value)}`,
    );
  return value;
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
