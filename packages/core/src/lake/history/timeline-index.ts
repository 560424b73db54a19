import type { StorageBackend } from '@datalake/model';
import { collectBody, DataLakeError } from '@datalake/model';
import { isPlausibleId } from '../paths.js';
import { decodeEntryRecord, type EntryRecord, encodeJson } from '../record.js';
import { TIMELINE_KEY } from './keys.js';
import type { HistoryState } from './types.js';
import { historyProblem } from './versions.js';

interface TimelineFile {
  format: 1;
  /** `[id, etag of its record, history]` of live entries changed at least once. */
  live: [string, string, HistoryState][];
  /** `[id, etag of its deleted record, record]`. */
  deleted: [string, string, EntryRecord][];
}

/**
 * The version lists of the entries, in memory, each tagged with the etag of the record it came
 * from: what `list({ asOf })` reads instead of the records. It learns from the records this
 * instance writes or reads, and is kept in `.versions/timeline.json` (written at `close`, read on
 * the first time-travel listing, never at `open`). A list whose etag is no longer the record's is
 * ignored, so a stale or damaged file costs reads, never a wrong answer.
 */
export class TimelineIndex {
  private readonly live = new Map<string, { etag: string; history: HistoryState }>();
  private readonly deleted = new Map<string, { etag: string; record: EntryRecord }>();
  private loading: Promise<void> | undefined;
  private dirty = false;

  constructor(private readonly backend: StorageBackend) {}

  /** A live record was written or read: its etag and history. */
  noteLive(id: string, etag: string, history: HistoryState | undefined): void {
    if (!history || history.versions.length + history.pages.length < 2) return;
    const known = this.live.get(id);
    if (known?.etag === etag) return;
    this.live.set(id, { etag, history });
    this.dirty = true;
  }

  noteDeleted(id: string, etag: string, record: EntryRecord): void {
    if (this.deleted.get(id)?.etag === etag) return;
    this.deleted.set(id, { etag, record });
    this.dirty = true;
  }

  /** Reads the lake's timeline file, once (`liveHistory` answers from memory only). */
  ready(): Promise<void> {
    return this.load();
  }

  /** The history of the record of `id` whose etag is `etag`, if known (after `ready`). */
  liveHistory(id: string, etag: string): HistoryState | undefined {
    const known = this.live.get(id);
    return known?.etag === etag ? known.history : undefined;
  }

  async deletedRecord(id: string, etag: string): Promise<EntryRecord | undefined> {
    await this.load();
    const known = this.deleted.get(id);
    return known?.etag === etag ? known.record : undefined;
  }

  /**
   * Writes what it knows, when it learnt something since it was read: the live lists whose etag
   * `currentEtag` still gives, and the deleted records among `deletedIds` (when known).
   */
  async save(currentEtag: (id: string) => string | undefined): Promise<void> {
    if (!this.dirty) return;
    await this.load();
    const file: TimelineFile = { format: 1, live: [], deleted: [] };
    for (const [id, known] of this.live)
      if (currentEtag(id) === known.etag) file.live.push([id, known.etag, known.history]);
    for (const [id, known] of this.deleted)
      if (currentEtag(id) === undefined) file.deleted.push([id, known.etag, known.record]);
    await this.backend.put(TIMELINE_KEY, encodeJson(file));
    this.dirty = false;
  }

  private load(): Promise<void> {
    this.loading ??= this.read();
    return this.loading;
  }

  private async read(): Promise<void> {
    let file: TimelineFile;
    try {
      const object = await this.backend.get(TIMELINE_KEY);
      if (!object) return;
      file = JSON.parse(Buffer.from(await collectBody(object.body)).toString('utf8')) as TimelineFile;
    } catch (error) {
      if (error instanceof DataLakeError || error instanceof SyntaxError) return; // rebuilt from the records
      throw error;
    }
    if (file?.format !== 1 || !Array.isArray(file.live) || !Array.isArray(file.deleted)) return;
    for (const item of file.live) {
      if (!Array.isArray(item)) continue;
      const [id, etag, history] = item;
      if (typeof id !== 'string' || !isPlausibleId(id) || typeof etag !== 'string') continue;
      if (this.live.has(id) || historyProblem(history, id) !== undefined) continue;
      this.live.set(id, { etag, history });
    }
    for (const item of file.deleted) {
      if (!Array.isArray(item)) continue;
      const [id, etag, record] = item;
      if (typeof id !== 'string' || !isPlausibleId(id) || typeof etag !== 'string') continue;
      if (this.deleted.has(id)) continue;
      try {
        const checked = decodeEntryRecord(encodeJson(record), TIMELINE_KEY, id);
        this.deleted.set(id, { etag, record: checked });
      } catch (error) {
        if (!(error instanceof DataLakeError)) throw error;
      }
    }
  }
}
