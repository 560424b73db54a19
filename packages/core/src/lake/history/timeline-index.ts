import type { StorageBackend } from '@datalake/model';
import { collectBody, DataLakeError } from '@datalake/model';
import { freezeJson } from '../metadata.js';
import { decodeEntryRecord, type EntryRecord, encodeJson } from '../record.js';
import { LEGACY_TIMELINE_KEY, TIMELINE_KEY } from './keys.js';
import {
  historyVersionAt,
  recordVersionAt,
  spanDeletedJson,
  TimelineFileWriter,
  tableIsWhole,
} from './timeline-file.js';
import { TimelineTable } from './timeline-table.js';
import type { EntryVersion, HistoryState } from './types.js';

type KnownLive = { etag: string; history: HistoryState };
type KnownDeleted = { etag: string; record: EntryRecord };

/** What `checks` holds per record of the file: its table not looked at yet, whole, damaged. */
const UNCHECKED = 0;
const WHOLE = 1;
const DAMAGED = 2;

/**
 * The version lists of the entries, each tagged with the etag of the record it came from: what
 * `list({ asOf })` reads instead of the records. It learns from the records this instance writes or
 * reads, and is kept in `.versions/timeline.bin` (written at `close`, read on the first time-travel
 * listing, never at `open`). The file is used in place (see `timeline-file.ts` and
 * `timeline-table.ts`): loading it indexes its record headers, making no string or object per
 * record. What this instance learnt (`live`, `deleted`) is newer than the file and wins over it. A
 * list whose etag is no longer the record's is ignored, so a stale or damaged file costs reads,
 * never a wrong answer.
 */
export class TimelineIndex {
  private readonly live = new Map<string, KnownLive>();
  private readonly deleted = new Map<string, KnownDeleted>();
  /** The loaded file's records. */
  private file: TimelineTable | undefined;
  /** Per record of the file: whether its table was checked (see `UNCHECKED`). */
  private checks: Uint8Array = new Uint8Array(0);
  private loading: Promise<void> | undefined;
  /** No timeline file was found: one left by an earlier release may be there, to remove at save. */
  private legacyMayExist = false;
  private dirty = false;

  constructor(private readonly backend: StorageBackend) {}

  /** A live record was written or read: its etag and history. */
  noteLive(id: string, etag: string, history: HistoryState | undefined): void {
    if (!history || history.versions.length + history.pages.length < 2) return;
    const known = this.live.get(id);
    if (known ? known.etag === etag : this.fileLive(id, etag) >= 0) return;
    this.live.set(id, { etag, history });
    this.dirty = true;
  }

  noteDeleted(id: string, etag: string, record: EntryRecord): void {
    const known = this.deleted.get(id);
    if (known ? known.etag === etag : this.fileDeleted(id, etag) >= 0) return;
    this.deleted.set(id, { etag, record });
    this.dirty = true;
  }

  /** Reads the lake's timeline file, once (`liveVersionAt` answers from memory only). */
  ready(): Promise<void> {
    return this.load();
  }

  /**
   * The version of live entry `id` in effect at `time` (ms), when its record's etag is `etag`:
   * `null` when it did not exist yet, `undefined` when the index cannot say (read the record).
   * `sha256`: the entry's current content, whose string a version of the same content shares.
   */
  liveVersionAt(id: string, etag: string, time: number, sha256?: string): EntryVersion | null | undefined {
    const known = this.live.size === 0 ? undefined : this.live.get(id);
    if (known) return known.etag === etag ? historyVersionAt(known.history, time) : undefined;
    const file = this.file;
    if (!file) return undefined;
    const index = this.fileLive(id, etag);
    if (index < 0) return undefined;
    const table = file.afterNames(index);
    const end = file.end(index);
    let check = this.checks[index];
    if (check === UNCHECKED) {
      check = tableIsWhole(file.bytes, file.start(index), table, end) ? WHOLE : DAMAGED;
      this.checks[index] = check;
    }
    if (check !== WHOLE) return undefined;
    return recordVersionAt(file.bytes, table, end, time, sha256);
  }

  async deletedRecord(id: string, etag: string): Promise<EntryRecord | undefined> {
    await this.load();
    const known = this.deleted.get(id);
    if (known) return known.etag === etag ? known.record : undefined;
    const file = this.file;
    const index = this.fileDeleted(id, etag);
    if (!file || index < 0) return undefined;
    const json = spanDeletedJson(file.bytes, {
      etag,
      start: file.start(index),
      end: file.end(index),
      body: file.afterNames(index),
    });
    if (!json) return undefined;
    try {
      const record = freezeJson(decodeEntryRecord(json, TIMELINE_KEY, id) as never) as EntryRecord;
      this.deleted.set(id, { etag, record });
      return record;
    } catch (error) {
      if (!(error instanceof DataLakeError)) throw error;
      return undefined;
    }
  }

  /**
   * Writes what it knows, when it learnt something since it was read: the live lists whose etag
   * `currentEtag` still gives, and the deleted records of entries no longer live. Lists read from
   * the file are copied as they are.
   */
  async save(currentEtag: (id: string) => string | undefined): Promise<void> {
    if (!this.dirty) return;
    await this.load();
    const writer = new TimelineFileWriter();
    for (const [id, known] of this.live) {
      if (currentEtag(id) === known.etag) writer.addLive(id, known.etag, known.history);
    }
    const file = this.file;
    for (let index = 0; file && index < file.liveCount; index++) {
      const id = file.id(index);
      if (this.live.has(id) || !file.isFirstOfId(index) || currentEtag(id) !== file.etag(index)) continue;
      writer.copyLive(file.bytes, { start: file.start(index), end: file.end(index) });
    }
    for (const [id, known] of this.deleted) {
      if (currentEtag(id) === undefined) writer.addDeleted(id, known.etag, encodeJson(known.record));
    }
    for (let index = file?.liveCount ?? 0; file && index < file.count; index++) {
      const id = file.id(index);
      if (this.deleted.has(id) || !file.isFirstOfId(index) || currentEtag(id) !== undefined) continue;
      writer.copyDeleted(file.bytes, { start: file.start(index), end: file.end(index) });
    }
    await this.backend.put(TIMELINE_KEY, writer.bytes());
    this.dirty = false;
    if (this.legacyMayExist) {
      this.legacyMayExist = false;
      await this.backend.delete(LEGACY_TIMELINE_KEY).catch(() => false);
    }
  }

  /** The index of the file's live record of `id` at `etag`, or -1. */
  private fileLive(id: string, etag: string): number {
    const index = this.file?.find(id, true) ?? -1;
    return index >= 0 && this.file?.hasEtag(index, etag) ? index : -1;
  }

  private fileDeleted(id: string, etag: string): number {
    const index = this.file?.find(id, false) ?? -1;
    return index >= 0 && this.file?.hasEtag(index, etag) ? index : -1;
  }

  private load(): Promise<void> {
    this.loading ??= this.read();
    return this.loading;
  }

  private async read(): Promise<void> {
    let bytes: Uint8Array;
    try {
      const object = await this.backend.get(TIMELINE_KEY);
      if (!object) {
        this.legacyMayExist = true;
        return;
      }
      bytes = await collectBody(object.body);
    } catch (error) {
      if (error instanceof DataLakeError) return; // rebuilt from the records
      throw error;
    }
    const file = TimelineTable.read(bytes);
    if (!file) return;
    this.file = file;
    this.checks = new Uint8Array(file.liveCount);
  }
}
