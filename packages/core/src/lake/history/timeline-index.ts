import type { StorageBackend } from '@datalake/model';
import { collectBody, DataLakeError } from '@datalake/model';
import { freezeJson } from '../metadata.js';
import { decodeEntryRecord, type EntryRecord, encodeJson } from '../record.js';
import { LEGACY_TIMELINE_KEY, TIMELINE_KEY } from './keys.js';
import {
  asBuffer,
  type DeletedSpan,
  historyVersionAt,
  type LiveSpan,
  readSpans,
  spanDeletedJson,
  spanVersionAt,
  TimelineFileWriter,
} from './timeline-file.js';
import type { EntryVersion, HistoryState } from './types.js';

type KnownLive = { etag: string; history: HistoryState } | (LiveSpan & { history?: undefined });
type KnownDeleted = { etag: string; record: EntryRecord } | (DeletedSpan & { record?: undefined });

/**
 * The version lists of the entries, each tagged with the etag of the record it came from: what
 * `list({ asOf })` reads instead of the records. It learns from the records this instance writes or
 * reads, and is kept in `.versions/timeline.bin` (written at `close`, read on the first time-travel
 * listing, never at `open`). The file is used in place (see `timeline-file.ts`): loading it decodes
 * ids and etags only. A list whose etag is no longer the record's is ignored, so a stale or damaged
 * file costs reads, never a wrong answer.
 */
export class TimelineIndex {
  private readonly live = new Map<string, KnownLive>();
  private readonly deleted = new Map<string, KnownDeleted>();
  /** The loaded file, which the spans point into. */
  private file: Buffer = Buffer.alloc(0);
  private loading: Promise<void> | undefined;
  /** No timeline file was found: one left by an earlier release may be there, to remove at save. */
  private legacyMayExist = false;
  private dirty = false;

  constructor(private readonly backend: StorageBackend) {}

  /** A live record was written or read: its etag and history. */
  noteLive(id: string, etag: string, history: HistoryState | undefined): void {
    if (!history || history.versions.length + history.pages.length < 2) return;
    if (this.live.get(id)?.etag === etag) return;
    this.live.set(id, { etag, history });
    this.dirty = true;
  }

  noteDeleted(id: string, etag: string, record: EntryRecord): void {
    if (this.deleted.get(id)?.etag === etag) return;
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
   */
  liveVersionAt(id: string, etag: string, time: number): EntryVersion | null | undefined {
    const known = this.live.get(id);
    if (known?.etag !== etag) return undefined;
    if (known.history) return historyVersionAt(known.history, time);
    return spanVersionAt(this.file, known, time);
  }

  async deletedRecord(id: string, etag: string): Promise<EntryRecord | undefined> {
    await this.load();
    const known = this.deleted.get(id);
    if (known?.etag !== etag) return undefined;
    if (known.record) return known.record;
    const json = spanDeletedJson(this.file, known);
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
      if (currentEtag(id) !== known.etag) continue;
      if (known.history) writer.addLive(id, known.etag, known.history);
      else writer.copyLive(this.file, known);
    }
    for (const [id, known] of this.deleted) {
      if (currentEtag(id) !== undefined) continue;
      if (known.record) writer.addDeleted(id, known.etag, encodeJson(known.record));
      else writer.copyDeleted(this.file, known);
    }
    await this.backend.put(TIMELINE_KEY, writer.bytes());
    this.dirty = false;
    if (this.legacyMayExist) {
      this.legacyMayExist = false;
      await this.backend.delete(LEGACY_TIMELINE_KEY).catch(() => false);
    }
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
    const spans = readSpans(bytes);
    if (!spans) return;
    this.file = asBuffer(bytes);
    // What this instance learnt before the file was read is newer than the file.
    for (const [id, span] of spans.live) if (!this.live.has(id)) this.live.set(id, span);
    for (const [id, span] of spans.deleted) if (!this.deleted.has(id)) this.deleted.set(id, span);
  }
}
