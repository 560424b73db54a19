import type { BodyInput, Entry, EntryWithContent, ListFilter, StorageBackend } from '@datalake/model';
import {
  ConflictError,
  CorruptDataError,
  collectBody,
  DATA_TYPES,
  NotFoundError,
  ValidationError,
} from '@datalake/model';
import { type CatalogItem, folderOf } from '../catalog.js';
import type { EntryStream } from '../lake.js';
import type { LoadedRecord } from '../loader.js';
import { assertDataType, isPlausibleId, normaliseSubpath } from '../paths.js';
import type { EntryRecord } from '../record.js';
import { openBlob } from './blobs.js';
import { diffVersions } from './diff.js';
import {
  findVersion,
  readDeletedRecord,
  readDeletedRecordTagged,
  type VersionedRecord,
  versionAt,
  versionsBefore,
} from './entry-versions.js';
import { normaliseNote, parseMoment, parseVersion } from './inputs.js';
import { blobKey, DELETED_PREFIX, idFromDeletedKey } from './keys.js';
import { TimelineIndex } from './timeline-index.js';
import type {
  ChangeNote,
  EntryAtVersion,
  EntryHistory,
  EntryVersion,
  HistoryOptions,
  VersionDiff,
} from './types.js';
import type { VersionChange } from './version-writer.js';
import { historyOf, latestVersion } from './versions.js';

const DEFAULT_HISTORY_LIMIT = 100;
const MAX_HISTORY_LIMIT = 1000;
const READ_CONCURRENCY = 32;
const utf8 = new TextDecoder('utf-8');

/** What the history operations need of the lake they serve. */
export interface HistoryHost {
  readonly backend: StorageBackend;
  /** The record at `.metadata/<id>.json` (validated), or null. */
  readLiveRecord(id: string): Promise<LoadedRecord | null>;
  /** Finishes a delete whose writer is gone (its record is then under `.versions/deleted/`). */
  finishAbandonedDelete(loaded: LoadedRecord): Promise<boolean>;
  /** The live entries in `filePath` order, with their records' etags. */
  itemsInPathOrder(): Iterable<CatalogItem>;
  /** The live entry at `filePath` now, if any. */
  idAtPath(filePath: string): Promise<string | undefined>;
  readCurrent(id: string): Promise<{ entry: Entry; bytes: Uint8Array }>;
  streamCurrent(id: string): Promise<EntryStream>;
  writeVersion(id: string, change: VersionChange): Promise<Entry>;
  /** Brings a deleted entry back at its path with `body` as content; `ConflictError` if the path is taken. */
  revive(record: EntryRecord, body: AsyncIterable<Uint8Array>, note: ChangeNote): Promise<Entry>;
}

/** History reads and the writes that build on them: `restore`, `undelete`, `diff`, `asOf` views. */
export class LakeHistory {
  /** The version lists of changed and deleted entries, for `list({ asOf })`. */
  readonly index: TimelineIndex;

  constructor(private readonly host: HistoryHost) {
    this.index = new TimelineIndex(host.backend);
  }

  /** The entry's versions, newest first, deletions included. */
  async history(id: string, options: HistoryOptions = {}): Promise<EntryHistory> {
    const limit = historyLimit(options.limit);
    const before = options.cursor === undefined ? Number.MAX_SAFE_INTEGER : parseCursor(options.cursor);
    const state = await this.load(id);
    const versions = await versionsBefore(this.host.backend, id, state.history, before, limit);
    const oldest = versions[versions.length - 1];
    const result: EntryHistory = {
      id,
      filePath: state.record.entry.filePath,
      deleted: state.deleted,
      versions,
    };
    if (oldest && oldest.version > 1 && versions.length === limit) result.cursor = String(oldest.version);
    return result;
  }

  async version(id: string, number: unknown): Promise<{ state: VersionedRecord; version: EntryVersion }> {
    const wanted = parseVersion(number);
    const state = await this.load(id);
    return { state, version: await findVersion(this.host.backend, id, state.history, wanted) };
  }

  /** The entry as it was at version `number`, with its content. */
  async retrieve(id: string, number: unknown): Promise<EntryWithContent & { version: number }> {
    const { state, version } = await this.version(id, number);
    assertHasContent(id, version);
    const bytes = await this.contentOf(id, state, version);
    return { ...viewAt(state.record.entry, version), content: utf8.decode(bytes), bytes };
  }

  async readBytes(id: string, number: unknown): Promise<Uint8Array> {
    const { state, version } = await this.version(id, number);
    assertHasContent(id, version);
    return this.contentOf(id, state, version);
  }

  async readStream(id: string, number: unknown): Promise<EntryStream> {
    const { state, version } = await this.version(id, number);
    assertHasContent(id, version);
    const entry = viewAt(state.record.entry, version);
    if (isCurrentContent(state, version)) {
      const current = await this.host.streamCurrent(id).catch(() => undefined);
      if (current && current.entry.sha256 === version.sha256) return { entry, stream: current.stream };
    }
    const blob = await openBlob(this.host.backend, version.sha256, version.size);
    if (!blob) throw missingVersionContent(id, version);
    return { entry, stream: blob.body };
  }

  /** The entry that was at `filePath` at `asOf`, as it was then, with its content. */
  async retrieveByPath(filePath: string, asOf: unknown): Promise<EntryWithContent> {
    const time = parseMoment(asOf);
    if (typeof filePath !== 'string') throw new ValidationError('filePath must be a string');
    const path = filePath.normalize('NFC');
    const current = await this.host.idAtPath(path);
    const candidates = current === undefined ? [] : [current];
    for await (const record of this.deletedRecords()) {
      if (record.entry.filePath === path && record.entry.id !== current) candidates.push(record.entry.id);
    }
    for (const id of candidates) {
      const state = await this.load(id).catch(() => undefined);
      const version = state && (await versionAt(this.host.backend, id, state.history, time));
      if (state && version && !version.deleted) return this.retrieve(id, version.version);
    }
    throw new NotFoundError(`no entry at path "${filePath}" at ${new Date(time).toISOString()}`, {
      details: { filePath, asOf: new Date(time).toISOString() },
    });
  }

  /**
   * The lake as it was at `asOf`, filtered like `list`. Entries unchanged since then are taken from
   * the catalog as they are; the version lists of those changed or deleted since come from the
   * timeline index, and only records it does not know (at their current etag) are read.
   */
  async list(filter: ListFilter): Promise<Entry[]> {
    const time = parseMoment(filter.asOf);
    const matches = entryFilter(filter);
    const out: Entry[] = [];
    const unknown: CatalogItem[] = [];
    const isAfter = laterThan(time);
    await this.index.ready();
    // In path order: what is answered from memory needs no sort.
    for (const item of this.host.itemsInPathOrder()) {
      const { entry } = item;
      if (!matches(entry) || isAfter(entry.createdAt)) continue;
      if (!isAfter(entry.updatedAt ?? entry.createdAt)) {
        out.push(entry);
        continue;
      }
      // The version is usually inline; one in a page is read with the record's other pages.
      const version = item.pending
        ? undefined
        : this.index.liveVersionAt(entry.id, item.etag, time, entry.sha256);
      if (version === undefined) unknown.push(item);
      else if (version && !version.deleted) out.push(viewAt(entry, version));
    }
    const { backend } = this.host;
    let sorted = true;
    await forEachConcurrently(unknown, async ({ entry }) => {
      const state = await this.load(entry.id).catch(() => undefined);
      const version = state && (await versionAt(backend, entry.id, state.history, time));
      if (state && version && !version.deleted) {
        out.push(viewAt(state.record.entry, version));
        sorted = false;
      }
    });
    let live: Set<string> | undefined;
    for await (const record of this.deletedRecords()) {
      const { entry } = record;
      live ??= new Set(Array.from(this.host.itemsInPathOrder(), (item) => item.entry.id));
      if (live.has(entry.id) || !matches(entry) || isAfter(entry.createdAt)) continue;
      const version = await versionAt(backend, entry.id, historyOf(entry, record.history), time);
      if (version && !version.deleted) {
        out.push(viewAt(entry, version));
        sorted = false;
      }
    }
    if (sorted) return out;
    return out.sort((a, b) => (a.filePath < b.filePath ? -1 : a.filePath > b.filePath ? 1 : 0));
  }

  /** Makes version `number` current again, as a new version. */
  async restore(id: string, number: unknown, noteInput?: ChangeNote): Promise<Entry> {
    const note = normaliseNote(noteInput);
    const { state, version } = await this.version(id, number);
    if (state.deleted)
      throw new NotFoundError(`entry ${id} is deleted: undelete it first`, {
        details: { id, deleted: true },
      });
    assertHasContent(id, version);
    const sameContent = version.sha256 === state.record.entry.sha256;
    let body: BodyInput | undefined;
    if (!sameContent) {
      const blob = await openBlob(this.host.backend, version.sha256, version.size);
      if (!blob) throw missingVersionContent(id, version);
      body = blob.body;
    }
    return this.host.writeVersion(id, {
      patch: version.metadata,
      replace: true,
      ...(body ? { body } : {}),
      note,
      op: 'restore',
      restoredFrom: version.version,
    });
  }

  /** Brings a deleted entry back, with the content and metadata it had, as a new version. */
  async undelete(id: string, noteInput?: ChangeNote): Promise<Entry> {
    const note = normaliseNote(noteInput);
    const state = await this.load(id);
    if (!state.deleted) throw new ConflictError(`entry ${id} is not deleted`, { details: { id } });
    const last = latestVersion(state.history);
    const blob = await openBlob(this.host.backend, last.sha256, last.size);
    if (!blob) throw missingVersionContent(id, last);
    return this.host.revive(state.record, blob.body, note);
  }

  async diff(id: string, from: unknown, to: unknown): Promise<VersionDiff> {
    const older = await this.version(id, from);
    const newer = await this.version(id, to);
    const [before, after] = await Promise.all([
      this.contentOf(id, older.state, older.version),
      this.contentOf(id, newer.state, newer.version),
    ]);
    return diffVersions(older.state.record.entry.filePath, id, older.version, before, newer.version, after);
  }

  /** The entry's record, live or deleted, with its history (a record from before history gets one). */
  async load(id: string): Promise<VersionedRecord> {
    if (typeof id !== 'string' || !isPlausibleId(id))
      throw new NotFoundError(`no entry with id "${String(id)}"`, { details: { id } });
    for (let attempt = 0; attempt < 2; attempt++) {
      const live = await this.host.readLiveRecord(id);
      if (live && !live.record.deleted) {
        const { record, etag } = live;
        this.index.noteLive(id, etag, record.history);
        return { record, history: historyOf(record.entry, record.history), deleted: false, etag };
      }
      const deleted = await readDeletedRecord(this.host.backend, id);
      if (deleted)
        return { record: deleted, history: historyOf(deleted.entry, deleted.history), deleted: true };
      if (!live) break;
      // A delete in flight: its record holds the deletion already; finish it if its writer is gone.
      if (!(await this.host.finishAbandonedDelete(live))) {
        const record = live.record;
        if (record.history) return { record, history: record.history, deleted: true };
        break;
      }
    }
    throw new NotFoundError(`no entry with id "${id}"`, { details: { id } });
  }

  /** The bytes of a version: the entry's current content when it is that, else the kept copy. */
  private async contentOf(id: string, state: VersionedRecord, version: EntryVersion): Promise<Uint8Array> {
    if (isCurrentContent(state, version)) {
      const current = await this.host.readCurrent(id).catch(() => undefined);
      if (current && current.entry.sha256 === version.sha256) return current.bytes;
    }
    const blob = await openBlob(this.host.backend, version.sha256, version.size);
    if (!blob) throw missingVersionContent(id, version);
    try {
      return await collectBody(blob.body);
    } catch (error) {
      if (!(error instanceof CorruptDataError)) throw error;
      throw new CorruptDataError(`the kept content of version ${version.version} of entry ${id} is damaged`, {
        cause: error,
        details: { id, version: version.version, key: blob.key, problem: 'hash-mismatch' },
      });
    }
  }

  /** Every deleted entry's record (damaged ones are skipped: `fsck` reports them). */
  private async *deletedRecords(): AsyncIterable<EntryRecord> {
    let cursor: string | undefined;
    do {
      const page = await this.host.backend.list(DELETED_PREFIX, { cursor, limit: 1000 });
      const records: EntryRecord[] = [];
      const unknown: string[] = [];
      for (const object of page.objects) {
        const id = idFromDeletedKey(object.key);
        if (id === undefined) continue;
        const known = await this.index.deletedRecord(id, object.etag);
        if (known) records.push(known);
        else unknown.push(id);
      }
      await forEachConcurrently(unknown, async (id) => {
        const read = await readDeletedRecordTagged(this.host.backend, id).catch(() => null);
        if (!read) return;
        this.index.noteDeleted(id, read.etag, read.record);
        records.push(read.record);
      });
      yield* records;
      cursor = page.cursor;
    } while (cursor);
  }
}

/** The entry as it was at `version`. */
export function viewAt(entry: Entry, version: EntryVersion): EntryAtVersion {
  // A literal, not a spread, for the common shape: `list({ asOf })` makes one per changed entry.
  if (entry.stored === undefined)
    return Object.freeze({
      id: entry.id,
      name: entry.name,
      dataType: entry.dataType,
      metadata: version.metadata,
      createdAt: entry.createdAt,
      updatedAt: version.op === 'store' ? null : version.at,
      filePath: entry.filePath,
      subpath: entry.subpath,
      size: version.size,
      sha256: version.sha256,
      version: version.version,
    });
  return Object.freeze({
    ...entry,
    metadata: version.metadata,
    size: version.size,
    sha256: version.sha256,
    updatedAt: version.op === 'store' ? null : version.at,
    version: version.version,
  });
}

function isCurrentContent(state: VersionedRecord, version: EntryVersion): boolean {
  return !state.deleted && version.sha256 === state.record.entry.sha256;
}

function assertHasContent(id: string, version: EntryVersion): void {
  if (version.deleted)
    throw new NotFoundError(`version ${version.version} of entry ${id} is its deletion`, {
      details: { id, version: version.version, deleted: true },
    });
}

function missingVersionContent(id: string, version: EntryVersion): CorruptDataError {
  return new CorruptDataError(`the content of version ${version.version} of entry ${id} is missing`, {
    details: { id, version: version.version, key: blobKey(version.sha256), problem: 'missing-content' },
  });
}

function historyLimit(value: unknown): number {
  if (value === undefined) return DEFAULT_HISTORY_LIMIT;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1 || value > MAX_HISTORY_LIMIT)
    throw new ValidationError(`limit must be a whole number from 1 to ${MAX_HISTORY_LIMIT}`, {
      details: { limit: value as never },
    });
  return value;
}

function parseCursor(cursor: unknown): number {
  if (typeof cursor !== 'string' || !/^[1-9]\d{0,15}$/.test(cursor))
    throw new ValidationError('cursor is not one that history() returned', {
      details: { cursor: String(cursor) },
    });
  return Number(cursor);
}

/**
 * Whether an ISO-8601 time is later than `time` (ms). The lake writes its times as
 * `toISOString` does (`YYYY-MM-DDTHH:mm:ss.sssZ`), which order as text like the moments they
 * name; any other form is parsed.
 */
function laterThan(time: number): (iso: string) => boolean {
  const date = new Date(time);
  const year = date.getUTCFullYear();
  const moment = year >= 0 && year <= 9999 ? date.toISOString() : undefined;
  return (iso) => (moment !== undefined && isCanonicalIso(iso) ? iso > moment : Date.parse(iso) > time);
}

function isCanonicalIso(iso: string): boolean {
  return (
    iso.length === 24 &&
    iso.charCodeAt(4) === 45 && // -
    iso.charCodeAt(7) === 45 &&
    iso.charCodeAt(10) === 84 && // T
    iso.charCodeAt(13) === 58 && // :
    iso.charCodeAt(16) === 58 &&
    iso.charCodeAt(19) === 46 && // .
    iso.charCodeAt(23) === 90 // Z
  );
}

/** `list`'s filter as a predicate over entries. */
function entryFilter(filter: ListFilter): (entry: Entry) => boolean {
  const recursive = filter.recursive ?? true;
  const subpath = normaliseSubpath(filter.subpath);
  if (filter.dataType !== undefined) assertDataType(filter.dataType);
  const types = new Set(filter.dataType ? [filter.dataType] : DATA_TYPES);
  // One folder per data type, built once: this runs for every entry of the lake.
  const folders = new Map([...types].map((dataType) => [dataType, `${folderOf({ dataType, subpath })}/`]));
  return (entry) => {
    const folder = folders.get(entry.dataType);
    if (folder === undefined || !entry.filePath.startsWith(folder)) return false;
    return recursive || entry.filePath.indexOf('/', folder.length) === -1;
  };
}

async function forEachConcurrently<T>(items: readonly T[], work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++] as T);
  };
  await Promise.all(Array.from({ length: Math.min(READ_CONCURRENCY, items.length) }, worker));
}
