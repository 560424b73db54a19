import type { StorageBackend } from '@datalake/model';
import { CorruptDataError, collectBody } from '@datalake/model';
import { CHANGES_PREFIX, decodeNoteContent, parseNoteKey, stampKey } from './change-notes.js';

/** Bounds the pages one read follows, so a backend that ignores the cursor cannot loop forever. */
const MAX_PAGES = 100_000;
const FETCH_CONCURRENCY = 16;

export interface ChangeReaderOptions {
  /**
   * How far before the previous read's start each read looks again (ms): covers clocks of writers
   * that run behind this one and notes whose write took long. Default 10 s.
   */
  windowMs: number;
  /**
   * Longest time between two reads the journal can bridge (ms): beyond it, notes may have been
   * compacted away, so the caller must reload everything. Half the journal's retention.
   */
  maxGapMs: number;
  now?: () => number;
}

/** What one read found: the entry ids changed since the last read, to apply before `commit`. */
export interface ChangeBatch {
  ids: string[];
  /** The bookkeeping keys (tokens and the like) the notes name. */
  keys: string[];
  /** How many notes were read. */
  notes: number;
  /** Makes the read count: the next one starts where it ended. Call once the ids are applied. */
  commit(): void;
}

/**
 * Follows the change journal. Each read lists only the notes named after (previous start − window),
 * with S3's StartAfter, skips the notes it has read already and this instance's own, and reads the
 * rest. `read` answers `undefined` when the journal cannot tell what changed (too long since the
 * last read, or a note that vanished or cannot be read): the caller then reloads everything and
 * calls `restart`.
 */
export class ChangeReader {
  private since: number | undefined;
  /** Notes already applied whose stamps still lie inside the window, by key, with their stamps. */
  private seen = new Map<string, number>();
  private readonly now: () => number;

  constructor(
    private readonly backend: StorageBackend,
    private readonly ownWriter: string,
    private readonly options: ChangeReaderOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  /** Follows the journal from `startedAt`: when a full load that began then has been applied. */
  restart(startedAt: number): void {
    this.since = startedAt;
    this.seen.clear();
  }

  async read(): Promise<ChangeBatch | undefined> {
    const since = this.since;
    const started = this.now();
    if (since === undefined || started - since > this.options.maxGapMs) return undefined;
    const from = since - this.options.windowMs;
    const listed = await this.listFrom(stampKey(from));
    const fresh = listed.filter((note) => !this.seen.has(note.key));
    const ids = new Set<string>();
    const keys = new Set<string>();
    let unreadable = false;
    let next = 0;
    const worker = async () => {
      while (next < fresh.length) {
        const note = fresh[next++] as (typeof fresh)[number];
        if (note.writer === this.ownWriter) continue;
        const object = await this.backend.get(note.key);
        const named = object ? decodeNoteContent(await collectBody(object.body)) : undefined;
        if (!named) unreadable = true;
        else {
          for (const id of named.ids) ids.add(id);
          for (const key of named.keys) keys.add(key);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(FETCH_CONCURRENCY, fresh.length) }, worker));
    if (unreadable) return undefined;
    return {
      ids: [...ids],
      keys: [...keys],
      notes: fresh.length,
      commit: () => {
        if (this.since !== since) return; // restarted meanwhile
        for (const note of fresh) this.seen.set(note.key, note.stamp);
        for (const [key, stamp] of this.seen)
          if (stamp < started - this.options.windowMs) this.seen.delete(key);
        this.since = started;
      },
    };
  }

  private async listFrom(startAfter: string): Promise<Array<{ key: string; stamp: number; writer: string }>> {
    const notes: Array<{ key: string; stamp: number; writer: string }> = [];
    let cursor: string | undefined;
    for (let page = 0; page < MAX_PAGES; page++) {
      const result = await this.backend.list(
        CHANGES_PREFIX,
        cursor ? { cursor, startAfter } : { startAfter },
      );
      for (const object of result.objects) {
        // A backend that does not know startAfter lists from the start: its older notes are skipped here.
        if (object.key <= startAfter) continue;
        const note = parseNoteKey(object.key);
        if (note) notes.push(note);
      }
      if (!result.cursor) return notes;
      if (result.cursor === cursor)
        throw new CorruptDataError(`backend returned the same list cursor twice for "${CHANGES_PREFIX}"`);
      cursor = result.cursor;
    }
    throw new CorruptDataError(`listing "${CHANGES_PREFIX}" did not end after ${MAX_PAGES} pages`);
  }
}
