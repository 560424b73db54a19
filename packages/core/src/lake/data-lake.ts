import { createHash } from 'node:crypto';
import type {
  AsOfOptions,
  ChangeNoteInput,
  Entry,
  EntryWithContent,
  LakeStats,
  ListFilter,
  StorageAdapter,
  StorageBackend,
  StoreInput,
  UpdateInput,
  VersionOptions,
} from '@datalake/model';
import {
  ClosedError,
  ConflictError,
  CorruptDataError,
  collectBody,
  DATA_TYPES,
  DataLakeError,
  type DataType,
  NotFoundError,
  PreconditionFailedError,
  PutMode,
  ReadOnlyError,
  ValidationError,
} from '@datalake/model';
import type { NotIndexedEntry, SearchOptions, SearchResult } from '@datalake/search';
import {
  DEFAULT_MAX_INDEXED_BYTES,
  type IndexCheckReport,
  type IndexReport,
  type SearchHost,
  SearchIndex,
  scanSearch,
} from '@datalake/search';
import { useBackend } from './backend-use.js';
import { Catalog, folderOf } from './catalog.js';
import { type ChangeFeed, ChangeJournal, type ChangeJournalOptions } from './change-journal.js';
import { readChangedRecords } from './changed-records.js';
import { LakeCompression } from './compression/lake-compression.js';
import { readOriginal } from './compression/read-original.js';
import type { CompressionSettings } from './compression/settings.js';
import {
  ContentPlan,
  originalBody,
  planNewContent,
  planUpdate,
  sliceOf,
  storedKey,
  storedKeyOf,
} from './compression/stored-content.js';
import { ContentDigest, contentChunks, digestBody, sha256Hex } from './content.js';
import type { FolderNode } from './folder-totals.js';
import { checkLake, type FsckHost, type FsckOptions, type FsckReport, type RecoveredWrite } from './fsck.js';
import { normaliseNote } from './history/inputs.js';
import { deletedKey } from './history/keys.js';
import { type HistoryHost, LakeHistory } from './history/lake-history.js';
import { assertNoHold } from './history/retention/holds.js';
import { LakeRetention } from './history/retention/lake-retention.js';
import type { ChangeNote, EntryHistory, HistoryOptions, VersionDiff } from './history/types.js';
import { firstHistory, pendingOf, type VersionChange, VersionWriter } from './history/version-writer.js';
import { type HistoryTransferHost, LakeHistoryTransfer } from './history-transfer/index.js';
import type { EntryStream, Lake } from './lake.js';
import {
  type InvalidRecord,
  type LoadedRecord,
  listRecords,
  readRecord,
  readRecordAt,
  readSnapshot,
  reconcile,
  writeSnapshot,
} from './loader.js';
import { mergeMetadata, normaliseMetadata } from './metadata.js';
import {
  assertDataType,
  claimKey,
  contentKey,
  isPlausibleId,
  metadataKey,
  normaliseName,
  normaliseSubpath,
  parseContentPath,
} from './paths.js';
import {
  decodePathClaim,
  type EntryRecord,
  encodeJson,
  type PathClaim,
  type PendingUpdate,
} from './record.js';
import { isAbandoned, newInstanceId, writerTag } from './writer.js';

export interface DataLakeOptions {
  /**
   * How `search` is answered. `'index'` (default) keeps a persistent trigram/word index in the lake
   * (under `.index/`); `'scan'` reads every candidate's content on each query.
   */
  search?: 'index' | 'scan';
  /** Receives notices such as "recovered an abandoned update". Default: `process.emitWarning`. */
  onNotice?: (message: string) => void;
  /** How long a path claim or an unfinished update protects itself from takeover. Default 10 minutes. */
  writeLeaseMs?: number;
  /** Contents up to this many bytes are indexed straight from memory when stored. Default 16 MiB. */
  indexFromMemoryBytes?: number;
  /**
   * Contents over this many bytes are not indexed, and searches do not read them: their entries are
   * found by name and metadata only (see `notIndexed()`). Default 16 MiB. Binary contents (a NUL
   * byte in the first 8 KiB) are treated alike, whatever their size.
   */
  maxIndexedBytes?: number;
  /**
   * Analyse stored contents for the search index on a worker thread (default false): stores return
   * sooner and a bulk load uses a second core. Entries stored this way are found by scanning their
   * content until their index segment is written (every 16 MiB of content, and at `close`).
   */
  indexWorker?: boolean;
  /**
   * `close()` leaves the backend open. Default false: the backend closes with the last lake that
   * uses it (lakes opened on one backend object share it; closing one leaves it open for the others).
   */
  keepBackendOpen?: boolean;
  /**
   * Open a backend that several processes may share although its conditional writes are not atomic
   * (two writers could both win a race). Default false: `open` refuses it with `UnsafeBackendError`.
   */
  acceptNonAtomicWrites?: boolean;
  /**
   * The change journal (`.changes/`): each commit leaves a small note, and `refresh()` reads only the
   * notes other instances wrote since, instead of listing every record. Default: on when the backend
   * is shared across processes (disk, S3); `false` turns it off; an object tunes it.
   */
  changeJournal?: boolean | ChangeJournalOptions;
}

const DEFAULT_LEASE_MS = 10 * 60 * 1000;
/** Left-out records reported one by one per load; past this, one line says how many more there are. */
const MAX_LEFT_OUT_NOTICES = 50;
/** Recovered writes remembered for `fsck` (the oldest are dropped past this). */
const MAX_RECOVERIES_KEPT = 1000;
const DEFAULT_INDEX_FROM_MEMORY = 16 * 1024 * 1024;
const UPDATE_ATTEMPTS = 10;
const utf8 = new TextDecoder('utf-8');

/**
 * A data lake of code artifacts over any `StorageBackend`.
 *
 * Consistency model: each instance answers reads from its in-memory catalog, which reflects the
 * lake as of `open` or the last `refresh()`, plus its own writes. Writes always go through the
 * backend's conditional operations, so they never act on a stale view: a taken path is a
 * `ConflictError` even if this instance has not seen the entry yet, and concurrent updates of one
 * entry are serialised by compare-and-swap on its metadata object.
 */
export class DataLake implements Lake {
  private readonly catalog = new Catalog();
  private readonly instance = newInstanceId();
  private readonly notice: (message: string) => void;
  private readonly leaseMs: number;
  /** Contents up to this size are kept in memory while stored, for the index (see `ContentDigest`). */
  private readonly captureBytes: number;
  private searchIndex: SearchIndex | undefined;
  /** What the search index (and the scan search) may see of the lake. */
  private readonly searchHost: SearchHost;
  private changedSinceSnapshot = false;
  /** A best-effort write met a read-only lake and the user was told (once). */
  private readOnlyNoticed = false;
  private closed = false;
  /**
   * Records of `.metadata/` that are not in the catalog although they exist: invalid ones, and valid
   * ones whose path another entry owns. By key; rebuilt by every load, each reported once.
   */
  private leftOut = new Map<string, LeftOutRecord>();
  /** Abandoned writes this instance finished since `fsck` last asked. */
  private recoveries: RecoveredWrite[] = [];
  private readonly journal: ChangeJournal | undefined;
  /** The history half of every write (versions, kept content, deleted records). */
  private readonly historyOps: VersionWriter;
  /** History reads, and the writes built on them (`restore`, `undelete`). */
  private readonly timeline: LakeHistory;
  /** Retention rules, holds on entries, and the purge they allow. */
  readonly retention: LakeRetention;
  /** Entries with their whole history, read and written for backup, restore and copy. */
  readonly transfer: LakeHistoryTransfer;
  /** The lake's compression setting, as this instance last read it. */
  private readonly compression: LakeCompression;

  private constructor(
    readonly backend: StorageBackend,
    private readonly options: DataLakeOptions,
  ) {
    this.notice = options.onNotice ?? ((message) => process.emitWarning(message, 'DataLakeNotice'));
    this.leaseMs = options.writeLeaseMs ?? DEFAULT_LEASE_MS;
    this.compression = new LakeCompression(backend);
    this.historyOps = new VersionWriter(backend, (record) =>
      assertNoHold(backend, record.entry.id, 'delete'),
    );
    this.timeline = new LakeHistory(this.historyHost());
    this.retention = new LakeRetention({
      backend,
      entries: () => this.catalog.inPathOrder(),
      load: (id) => this.timeline.load(id),
      casRecord: (etag, record) => this.casRecord(etag, record),
      graceMs: this.leaseMs,
    });
    const maxIndexedBytes = sizeOption('maxIndexedBytes', options.maxIndexedBytes, DEFAULT_MAX_INDEXED_BYTES);
    // Content the index will not read is not worth keeping.
    this.captureBytes = Math.min(options.indexFromMemoryBytes ?? DEFAULT_INDEX_FROM_MEMORY, maxIndexedBytes);
    this.transfer = new LakeHistoryTransfer(this.transferHost());
    const journal = options.changeJournal ?? backend.capabilities.sharedAcrossProcesses;
    if (journal)
      this.journal = new ChangeJournal(backend, this.instance, this.notice, journal === true ? {} : journal);
    this.searchHost = {
      backend,
      maxIndexedBytes,
      entries: () => this.catalog.entries(),
      entriesInPathOrder: () => this.catalog.inPathOrder(),
      getEntry: (id) => this.catalog.get(id)?.entry,
      readBytes: async (entry, worthChecking) => (await this.readVerified(entry.id, worthChecking)).bytes,
      notice: (message) => this.notice(message),
      readOnly: (error) => this.noteReadOnly(error),
    };
  }

  /**
   * Opens the lake stored in `given` (any `StorageAdapter`, seen through core's checking front),
   * loading its catalog (and search index).
   */
  static async open(given: StorageAdapter, options: DataLakeOptions = {}): Promise<DataLake> {
    const backend = useBackend(given, options);
    const lake = new DataLake(backend, options);
    const loadStarted = lake.journal?.fullLoadStarting();
    // The listing runs while the snapshot is read and parsed (on disk, readdir works in the background).
    const listing = listRecords(backend);
    listing.catch(() => {}); // Awaited by loadCatalog; this only keeps an early failure from going unhandled.
    const [snapshot] = await Promise.all([readSnapshot(backend), lake.compression.load()]);
    const result = await lake.loadCatalog((id) => snapshot.get(id), listing, snapshot.values());
    lake.changedSinceSnapshot = result.fetched > 0 || snapshot.size !== lake.catalog.size;
    if (loadStarted !== undefined) lake.journal?.fullLoadDone(loadStarted);
    if (options.search !== 'scan')
      lake.searchIndex = await SearchIndex.open(lake.searchHost, { worker: options.indexWorker });
    return lake;
  }

  /**
   * Picks up other instances' writes (stores, updates, deletes) made since `open` or the last refresh:
   * from the change journal when it can tell (cost in proportion to the changes), otherwise, or
   * with `full`, by listing every record.
   */
  async refresh(options: { full?: boolean } = {}): Promise<void> {
    this.assertOpen();
    await this.compression.load();
    const batch = options.full ? undefined : await this.journal?.changes();
    if (batch) {
      await this.applyChanges(batch.ids);
      batch.commit();
    } else {
      const started = this.journal?.fullLoadStarting();
      const result = await this.loadCatalog((id) => {
        const item = this.catalog.get(id);
        return item && !item.pending
          ? { record: { format: 1, entry: item.entry }, etag: item.etag }
          : undefined;
      });
      if (result.fetched > 0) this.changedSinceSnapshot = true;
      if (started !== undefined) this.journal?.fullLoadDone(started);
    }
    await this.searchIndex?.sync();
  }

  /** Shares bookkeeping changes (tokens and the like) with other instances; `undefined` without a change journal. */
  get changeFeed(): ChangeFeed | undefined {
    return this.journal;
  }

  /** Persists the catalog snapshot and search index, then closes the backend (unless `keepBackendOpen`). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      // The index first (its worker may still be building the last segment), the snapshot meanwhile.
      const index = this.searchIndex?.close();
      const journal = this.journal?.close();
      const snapshot = this.changedSinceSnapshot
        ? this.unlessReadOnly(writeSnapshot(this.backend, this.catalog.itemsInPathOrder()))
        : undefined;
      const timeline = this.unlessReadOnly(this.timeline.index.save((id) => this.catalog.get(id)?.etag));
      for (const result of await Promise.allSettled([index, snapshot, journal, timeline]))
        if (result.status === 'rejected') throw result.reason;
    } finally {
      if (!this.options.keepBackendOpen) await this.backend.close?.();
    }
  }

  async store(input: StoreInput): Promise<Entry> {
    this.assertOpen();
    if (!input || typeof input !== 'object') throw new ValidationError('store() needs an object argument');
    assertDataType(input.dataType);
    const name = normaliseName(input.name);
    const subpath = normaliseSubpath(input.subpath);
    const metadata = normaliseMetadata(input.metadata);
    const note = normaliseNote(input);
    if (input.content === undefined || input.content === null)
      throw new ValidationError('content is required');
    const body = contentChunks(input.content);
    const filePath = contentKey(input.dataType, subpath, name);
    const nesting = this.catalog.nestingConflict(filePath);
    if (nesting)
      throw new ConflictError(`cannot store at "${filePath}": ${nesting}`, { details: { filePath } });

    const id = newEntryId();
    const digest = new ContentDigest(this.captureBytes);
    const where = { dataType: input.dataType, name };
    const content = await this.claimAndWriteContent(
      filePath,
      id,
      await planNewContent(body, digest, where, this.compression.settings),
    );
    let entry: Entry;
    try {
      entry = Object.freeze({
        id,
        name,
        dataType: input.dataType,
        metadata,
        createdAt: new Date().toISOString(),
        updatedAt: null,
        filePath,
        subpath,
        size: digest.size,
        sha256: digest.sha256(),
        ...storedField(content.plan),
      });
      const record: EntryRecord = { format: 1, entry, history: firstHistory(entry, note) };
      const written = await this.backend.put(metadataKey(id), encodeJson(record), { mode: PutMode.create });
      this.catalog.set(entry, written.etag);
    } catch (error) {
      // The claim is ours, so whatever is at the path is the content this store wrote.
      await this.undoContentWrite(filePath, content);
      throw error;
    }
    this.changedSinceSnapshot = true;
    await Promise.all([this.searchIndex?.upsert(entry, digest.bytes()), this.journal?.noteChange(id)]);
    return entry;
  }

  /** The entry (without content): from the catalog, or looked up in the backend if another instance stored it. */
  async getEntry(id: string): Promise<Entry> {
    this.assertOpen();
    return this.entryOrThrow(id);
  }

  /** The entry (without content) at a `filePath`. */
  async getEntryByPath(filePath: string): Promise<Entry> {
    this.assertOpen();
    if (typeof filePath !== 'string') throw new ValidationError('filePath must be a string');
    const normalised = filePath.normalize('NFC');
    const id = this.catalog.idAtPath(normalised) ?? (await this.idFromClaim(normalised));
    if (id === undefined)
      throw new NotFoundError(`no entry at path "${filePath}"`, { details: { filePath } });
    return this.entryOrThrow(id);
  }

  /** The entry and its content. `content` is the UTF-8 decoding; `bytes` are exactly what was stored. */
  async retrieve(id: string, options?: VersionOptions): Promise<EntryWithContent> {
    this.assertOpen();
    if (options?.version !== undefined) return this.timeline.retrieve(id, options.version);
    const { entry, bytes } = await this.readVerified(id);
    return { ...entry, content: utf8.decode(bytes), bytes };
  }

  /** With `asOf`: the entry that was at `filePath` at that moment, as it was then. */
  async retrieveByPath(filePath: string, options?: AsOfOptions): Promise<EntryWithContent> {
    if (options?.asOf !== undefined) {
      this.assertOpen();
      return this.timeline.retrieveByPath(filePath, options.asOf);
    }
    return this.retrieve((await this.getEntryByPath(filePath)).id);
  }

  /** The exact stored bytes (of the current version, or of `version`), verified against their SHA-256. */
  async readBytes(id: string, options?: VersionOptions): Promise<Uint8Array> {
    this.assertOpen();
    if (options?.version !== undefined) return this.timeline.readBytes(id, options.version);
    return (await this.readVerified(id)).bytes;
  }

  /**
   * Streams the content without holding it in memory. The SHA-256 is checked as the stream ends: a
   * mismatch (content replaced by another writer mid-read) makes the stream throw `ConflictError`.
   */
  async readStream(id: string, options?: VersionOptions): Promise<EntryStream> {
    this.assertOpen();
    if (options?.version !== undefined) return this.timeline.readStream(id, options.version);
    let entry = await this.entryOrThrow(id);
    let object = await this.backend.get(storedKeyOf(entry));
    for (let attempt = 0; !object && attempt < 3; attempt++) {
      // Gone with its record: a concurrent delete. Gone while the record stands: lost or removed by hand.
      const current = await this.loadRecordOrNull(id);
      const fresh = current && !current.record.deleted ? await this.admit(current) : undefined;
      if (!fresh)
        throw new ConflictError(`content of ${id} vanished: the entry was deleted concurrently`, {
          details: { id },
        });
      if (sameContent(fresh, entry) && !current?.record.pending) throw missingContent(fresh);
      entry = fresh;
      object = await this.backend.get(storedKeyOf(entry));
    }
    if (!object) throw missingContent(entry);
    const body = originalBody(object.body, entry);
    async function* verified(): AsyncIterable<Uint8Array> {
      const hash = createHash('sha256');
      for await (const chunk of body) {
        hash.update(chunk);
        yield chunk;
      }
      if (hash.digest('hex') !== entry.sha256) {
        throw new ConflictError(`content of ${id} changed while it was read; read it again`, {
          details: { id },
        });
      }
    }
    return { entry, stream: verified() };
  }

  /**
   * Bytes `start` to `end` (inclusive; default the last) of the current content, as a stream. On
   * content stored as it came this is a ranged read of the backend; compressed content is
   * decompressed from its start and the range cut out. The range must lie within the content.
   */
  async readRange(id: string, range: { start: number; end?: number }): Promise<EntryStream> {
    this.assertOpen();
    const entry = await this.entryOrThrow(id);
    const start = range?.start;
    const end = range?.end ?? entry.size - 1;
    if (
      !Number.isSafeInteger(start) ||
      !Number.isSafeInteger(end) ||
      start < 0 ||
      end < start ||
      end >= entry.size
    )
      throw new ValidationError(
        `range ${start}-${end} is not within the ${entry.size} bytes of entry ${id}`,
        {
          details: { id, start, end, size: entry.size },
        },
      );
    if (!entry.stored) {
      const object = await this.backend.get(entry.filePath, { range: { start, end } });
      if (!object) throw missingContent(entry);
      return { entry, stream: object.body };
    }
    const { stream } = await this.readStream(id);
    return { entry, stream: sliceOf(stream, start, end) };
  }

  /** The compression setting of the lake (as of `open` or the last `refresh`); `null` when off. */
  compressionSettings(): CompressionSettings | null {
    this.assertOpen();
    return this.compression.settings ?? null;
  }

  /**
   * Sets the lake's compression, for every instance and tool (others apply it from their next
   * `refresh` or `open`); `null` turns it off. Entries already stored keep the form they were stored
   * in. `UnsupportedCodecError` for a codec this Node.js lacks.
   */
  async setCompression(settings: Partial<CompressionSettings> | null): Promise<CompressionSettings | null> {
    this.assertOpen();
    return this.compression.set(settings);
  }

  /** Entries (without content), ordered by `filePath`. Answered from the catalog: no backend reads. */
  async list(filter: ListFilter = {}): Promise<Entry[]> {
    this.assertOpen();
    if (filter.asOf !== undefined) return this.timeline.list(filter);
    const recursive = filter.recursive ?? true;
    const subpath = normaliseSubpath(filter.subpath);
    if (filter.dataType !== undefined) assertDataType(filter.dataType);
    const types: readonly DataType[] = filter.dataType ? [filter.dataType] : TYPES_IN_PATH_ORDER;
    // Type folders are visited in name order, so the concatenation stays ordered by filePath.
    const listed = types.map((dataType) => this.catalog.inFolder(folderOf({ dataType, subpath }), recursive));
    return listed.length === 1 ? (listed[0] as Entry[]) : listed.flat();
  }

  async search(query: string, options: SearchOptions = {}): Promise<SearchResult> {
    this.assertOpen();
    if (typeof query !== 'string') throw new ValidationError('search query must be a string');
    return this.searchIndex
      ? this.searchIndex.search(query, options)
      : scanSearch(this.searchHost, query, options);
  }

  /** Merges `metadata` into the entry's and/or replaces its content. Retries on concurrent changes. */
  async update(id: string, input: UpdateInput): Promise<Entry> {
    this.assertOpen();
    if (!input || typeof input !== 'object') throw new ValidationError('update() needs an object argument');
    const patch = normaliseMetadata(input.metadata);
    const body = input.content === undefined ? undefined : contentChunks(input.content);
    return this.writeVersion(id, { patch, body, note: normaliseNote(input), op: 'update' });
  }

  /** Commits a new version of `id`: `patch` merged into (or, with `replace`, replacing) its metadata. */
  private async writeVersion(id: string, change: VersionChange): Promise<Entry> {
    const { patch, body } = change;
    for (let attempt = 0; attempt < UPDATE_ATTEMPTS; attempt++) {
      const current = await this.loadFresh(id);
      if (current.record.pending) {
        if (isAbandoned(current.record.pending.writer, this.leaseMs)) await this.recoverPending(current);
        else await pause(attempt);
        continue;
      }
      const base = current.record.entry;
      const metadata = change.replace ? patch : mergeMetadata(base.metadata, patch);
      const updatedAt = new Date().toISOString();
      const { history } = current.record;
      if (body === undefined) {
        const entry = Object.freeze({ ...base, metadata, updatedAt });
        const record = await this.historyOps.recordWithVersion(
          current.record,
          entry,
          pendingOf(change, updatedAt),
        );
        const written = await this.casRecord(current.etag, record);
        if (written) return this.committed(entry, written, null);
        await pause(attempt);
        continue;
      }
      const pending = { writer: writerTag(this.instance), metadata, ...pendingOf(change, updatedAt) };
      // The old content's copy and the pending mark are written at once; both precede the overwrite.
      const marked = await this.historyOps.markKeepingContent(current, pending, (etag, record) =>
        this.casRecord(etag, record),
      );
      if (!marked) {
        await pause(attempt);
        continue;
      }
      return this.writeContentUpdate({ format: 1, entry: base, pending, history }, marked, body);
    }
    throw new ConflictError(`entry ${id} kept changing under concurrent writers; try again`, {
      details: { id },
    });
  }

  /** `true` if the entry existed and is now deleted, `false` if there was no such entry. */
  async delete(id: string, options?: ChangeNoteInput): Promise<boolean> {
    this.assertOpen();
    const note = normaliseNote(options);
    if (typeof id !== 'string' || id.length === 0) return false;
    for (let attempt = 0; attempt < UPDATE_ATTEMPTS; attempt++) {
      const current = await this.loadRecordOrNull(id);
      if (!current || current.record.deleted) {
        if (current) await this.admit(current);
        await this.forget(id);
        return false;
      }
      if (current.record.pending) {
        if (isAbandoned(current.record.pending.writer, this.leaseMs)) await this.recoverPending(current);
        else await pause(attempt);
        continue;
      }
      await this.historyOps.assertDeletable(current.record);
      await this.historyOps.keepCurrentContent(current.record.entry);
      // The conditional put of a tombstone is the commit point: it loses to any concurrent update.
      const tombstone: EntryRecord = {
        ...(await this.historyOps.recordWithDeletion(current.record, note)),
        deleted: writerTag(this.instance),
      };
      if (!(await this.casRecord(current.etag, tombstone))) {
        await pause(attempt);
        continue;
      }
      await this.forget(id);
      await Promise.all([this.removeObjects(tombstone), this.journal?.noteChange(id)]);
      return true;
    }
    throw new ConflictError(`entry ${id} kept changing under concurrent writers; try again`, {
      details: { id },
    });
  }

  /** The entry's versions, newest first, deletions included; paged with `limit` and `cursor`. */
  async history(id: string, options?: HistoryOptions): Promise<EntryHistory> {
    this.assertOpen();
    return this.timeline.history(id, options);
  }

  /** Makes `version` current again, as a new version: nothing is destroyed. */
  async restore(id: string, version: number, note?: ChangeNoteInput): Promise<Entry> {
    this.assertOpen();
    return this.timeline.restore(id, version, note);
  }

  /** Brings a deleted entry back at its path, as it was when deleted (a new version). */
  async undelete(id: string, note?: ChangeNoteInput): Promise<Entry> {
    this.assertOpen();
    return this.timeline.undelete(id, note);
  }

  /** A unified diff of two versions: metadata, and content unless it is binary. */
  async diff(id: string, from: number, to: number): Promise<VersionDiff> {
    this.assertOpen();
    return this.timeline.diff(id, from, to);
  }

  /** Counts from the catalog: O(1), no backend reads. */
  async getStats(): Promise<LakeStats> {
    this.assertOpen();
    return this.catalog.stats();
  }

  /**
   * Counts and sizes of the entries in a folder (`<type>` or `<type>/<subpath>`) and below it, with its
   * child folders' names; `undefined` when it holds none. Kept current by the catalog: O(1).
   */
  folderTotals(folder: string): FolderNode | undefined {
    this.assertOpen();
    return this.catalog.folderTotals.get(folder);
  }

  /** Rebuilds the search index from the entries' content (what `datalake reindex` runs). */
  async reindex(): Promise<IndexReport> {
    this.assertOpen();
    if (!this.searchIndex)
      throw new ValidationError('this lake was opened with search: "scan"; it keeps no index');
    return this.searchIndex.rebuild();
  }

  /** Verifies the search index against the entries. */
  async checkIndex(): Promise<IndexCheckReport> {
    this.assertOpen();
    if (!this.searchIndex)
      throw new ValidationError('this lake was opened with search: "scan"; it keeps no index');
    return this.searchIndex.check();
  }

  /**
   * Checks the whole lake: records, path claims, content (every object hashed, unless
   * `verifyContent: 'size'`), and the search index. With `repair`, fixes what can be fixed without
   * losing anything: invalid records and orphaned content are moved to `.quarantine/`, stale claims
   * released, missing claims recreated, abandoned writes finished and the index rebuilt. Content that
   * is missing or damaged is reported, never repaired (nothing holds another copy of it).
   */
  async fsck(options: FsckOptions = {}): Promise<FsckReport> {
    this.assertOpen();
    return checkLake(this.fsckHost(), options);
  }

  /**
   * Entries whose content the search index does not hold, with the reason: `binary`, `too-large`
   * (both found by name and metadata only) or `failed` (searched by reading the content each time).
   */
  async notIndexed(): Promise<NotIndexedEntry[]> {
    this.assertOpen();
    if (!this.searchIndex)
      throw new ValidationError('this lake was opened with search: "scan"; it keeps no index');
    return this.searchIndex.notIndexed();
  }

  // --- internals -------------------------------------------------------------------------------

  private assertOpen(): void {
    if (this.closed) throw new ClosedError();
  }

  /**
   * A best-effort write (catalog snapshot, cleanup after an interrupted writer) on a lake that may
   * be read-only (a snapshot, a backup, a share): if the backend refuses it as such, the lake goes
   * on with what it holds in memory.
   */
  private async unlessReadOnly(write: Promise<unknown>): Promise<boolean> {
    try {
      await write;
      return true;
    } catch (error) {
      if (!(error instanceof ReadOnlyError)) throw error;
      this.noteReadOnly(error);
      return false;
    }
  }

  private noteReadOnly(error: ReadOnlyError): void {
    if (this.readOnlyNoticed) return;
    this.readOnlyNoticed = true;
    this.notice(
      `the lake cannot be written (${error.message}): reading works; the catalog snapshot and search index are kept in memory only`,
    );
  }

  /**
   * Brings the catalog up to date with the `.metadata/` objects. `known` records (from the snapshot
   * or the catalog) are reused when their etag still matches. Those of `inPathOrder` (the snapshot,
   * written in path order) go in first and in that order, which keeps the catalog's bulk load cheap.
   */
  private async loadCatalog(
    known: Parameters<typeof reconcile>[1],
    listing?: Promise<Map<string, string>>,
    inPathOrder: Iterable<LoadedRecord> = [],
  ): Promise<{ fetched: number }> {
    const result = await reconcile(this.backend, known, listing, (key) => {
      const bad = this.leftOut.get(key);
      return bad?.kind === 'invalid' ? bad : undefined;
    });
    const reported = this.leftOut;
    this.leftOut = new Map();
    const notices = { shown: 0, more: 0 };
    const leaveOut = (record: LeftOutRecord) => this.leaveOut(record, reported, notices);
    for (const bad of result.invalid.values()) leaveOut({ ...bad, kind: 'invalid' });
    for (const item of [...this.catalog.items()]) {
      if (!result.records.has(item.entry.id)) this.catalog.delete(item.entry.id);
    }
    let admitted = 0;
    for (const loaded of inPathOrder) {
      if (result.records.get(loaded.record.entry.id) !== loaded) continue; // changed or gone
      if (!this.admitCommitted(loaded)) await this.admit(loaded, leaveOut);
      admitted++;
    }
    if (admitted < result.records.size) {
      for (const [id, loaded] of result.records) {
        if (admitted > 0 && known(id) === loaded) continue; // admitted above
        if (!this.admitCommitted(loaded)) await this.admit(loaded, leaveOut);
      }
    }
    this.catalog.settle();
    if (notices.more > 0) this.notice(`left out ${notices.more} more entry records (fsck lists them all)`);
    return { fetched: result.fetched };
  }

  /** Notes a record left out of the catalog; a notice says so unless `reported` already holds it as it is. */
  private leaveOut(
    record: LeftOutRecord,
    reported: ReadonlyMap<string, LeftOutRecord> = this.leftOut,
    notices?: { shown: number; more: number },
  ): void {
    this.leftOut.set(record.key, record);
    const before = reported.get(record.key);
    if (before?.etag === record.etag && before.reason === record.reason) return;
    if (notices && notices.shown >= MAX_LEFT_OUT_NOTICES) {
      notices.more++;
      return;
    }
    if (notices) notices.shown++;
    this.notice(
      `left out entry record ${JSON.stringify(record.key)}: ${record.reason}; fsck with repair moves it to the quarantine`,
    );
  }

  private historyHost(): HistoryHost {
    return {
      backend: this.backend,
      readLiveRecord: (id) => this.loadRecordOrNull(id),
      finishAbandonedDelete: async (loaded) => {
        if (!loaded.record.deleted || !isAbandoned(loaded.record.deleted, this.leaseMs)) return false;
        await this.admit(loaded);
        return true;
      },
      itemsInPathOrder: () => this.catalog.itemsInPathOrder(),
      idAtPath: async (filePath) => this.catalog.idAtPath(filePath) ?? (await this.idFromClaim(filePath)),
      readCurrent: (id) => this.readVerified(id),
      streamCurrent: (id) => this.readStream(id),
      writeVersion: (id, change) => this.writeVersion(id, change),
      revive: (record, body, note) => this.revive(record, body, note),
    };
  }

  private transferHost(): HistoryTransferHost {
    return {
      backend: this.backend,
      retention: this.retention,
      captureBytes: this.captureBytes,
      load: (id) => this.timeline.load(id),
      liveIds: () => this.catalog.inPathOrder().map((entry) => entry.id),
      readCurrent: (id) => this.readVerified(id),
      nestingConflict: (filePath) => this.catalog.nestingConflict(filePath),
      // Imported content is stored as it came: the imported entry records no compressed form.
      claimAndWriteContent: async (filePath, id, body, digest) =>
        (await this.claimAndWriteContent(filePath, id, new ContentPlan(undefined, body, digest))).claimEtag,
      releaseClaim: (filePath, etag) => this.releaseClaim(filePath, etag),
      casRecord: (etag, record) => this.casRecord(etag, record),
      writer: () => writerTag(this.instance),
      committed: async (entry, etag, content) => void (await this.committed(entry, etag, content)),
      delete: (id) => this.delete(id),
    };
  }

  /** `undelete`: the entry's path claimed again, its content written back, its record recreated. */
  private async revive(
    record: EntryRecord,
    body: AsyncIterable<Uint8Array>,
    note: ChangeNote,
  ): Promise<Entry> {
    const { id, filePath } = record.entry;
    const nesting = this.catalog.nestingConflict(filePath);
    if (nesting)
      throw new ConflictError(`cannot undelete at "${filePath}": ${nesting}`, { details: { filePath } });
    const digest = new ContentDigest(this.captureBytes);
    const written = await this.claimAndWriteContent(filePath, id, planUpdate(body, digest, record.entry));
    let entry: Entry;
    let etag: string;
    try {
      const updatedAt = new Date().toISOString();
      const { stored: _previous, ...rest } = record.entry;
      entry = Object.freeze({
        ...rest,
        updatedAt,
        size: digest.size,
        sha256: digest.sha256(),
        ...storedField(written.plan),
      });
      const revived = await this.historyOps.recordWithVersion(record, entry, {
        updatedAt,
        op: 'undelete',
        ...note,
      });
      etag = (await this.backend.put(metadataKey(id), encodeJson(revived), { mode: PutMode.create })).etag;
    } catch (error) {
      await this.undoContentWrite(filePath, written);
      if (error instanceof PreconditionFailedError)
        throw new ConflictError(`entry ${id} was undeleted concurrently`, { details: { id } });
      throw error;
    }
    await ignoringBackendErrors(() => this.backend.delete(deletedKey(id)));
    return this.committed(entry, etag, digest.bytes());
  }

  private fsckHost(): FsckHost {
    return {
      backend: this.backend,
      leaseMs: this.leaseMs,
      writer: () => writerTag(this.instance),
      refresh: () => this.refresh({ full: true }),
      item: (id) => this.catalog.get(id),
      idAtPath: (filePath) => this.catalog.idAtPath(filePath),
      itemsInPathOrder: () => this.catalog.itemsInPathOrder(),
      leftOut: () => this.leftOut.values(),
      takeRecoveries: () => this.recoveries.splice(0),
      recover: async (id) => {
        const loaded = await readRecordAt(this.backend, metadataKey(id));
        if (loaded && !('reason' in loaded)) await this.admit(loaded);
      },
      checkIndex: this.searchIndex ? () => this.checkIndex() : undefined,
      reindex: this.searchIndex ? () => this.reindex() : undefined,
    };
  }

  private recovered(kind: RecoveredWrite['kind'], id: string): void {
    this.recoveries.push({ kind, id });
    if (this.recoveries.length > MAX_RECOVERIES_KEPT) this.recoveries.shift();
  }

  /**
   * Puts a record read from the backend into the catalog, finishing an abandoned update or delete
   * first. `undefined` when the record is a deletion (the entry is gone).
   */
  private async admit(
    loaded: LoadedRecord,
    leaveOut: (record: LeftOutRecord) => void = (record) => this.leaveOut(record),
  ): Promise<Entry | undefined> {
    const { deleted, pending } = loaded.record;
    if (deleted) {
      await this.forget(loaded.record.entry.id);
      if (
        isAbandoned(deleted, this.leaseMs) &&
        (await this.unlessReadOnly(this.removeObjects(loaded.record)))
      ) {
        this.notice(`finished an interrupted delete of entry ${loaded.record.entry.id}`);
        this.recovered('delete', loaded.record.entry.id);
      }
      return undefined;
    }
    if (pending && isAbandoned(pending.writer, this.leaseMs)) {
      return this.recoverPending(loaded);
    }
    const rival = this.rivalOf(loaded.record.entry);
    if (rival !== undefined && !(await this.winsPath(loaded, rival, leaveOut))) return undefined;
    this.putInCatalog(loaded);
    return loaded.record.entry;
  }

  /**
   * `admit` for the common case, without awaiting: a record that is neither a deletion nor an
   * abandoned update, at a path no other entry holds, goes straight into the catalog. `false` when
   * the record needs `admit`.
   */
  private admitCommitted(loaded: LoadedRecord): boolean {
    const { deleted, pending } = loaded.record;
    if (deleted || (pending && isAbandoned(pending.writer, this.leaseMs))) return false;
    if (this.rivalOf(loaded.record.entry) !== undefined) return false;
    this.putInCatalog(loaded);
    return true;
  }

  private putInCatalog(loaded: LoadedRecord): void {
    const existing = this.catalog.get(loaded.record.entry.id);
    if (!existing || existing.etag !== loaded.etag) {
      this.catalog.set(loaded.record.entry, loaded.etag, loaded.record.pending !== undefined);
    }
  }

  /** Another entry of the catalog at `entry`'s path. */
  private rivalOf(entry: Entry): string | undefined {
    const holder = this.catalog.idAtPath(entry.filePath);
    return holder !== undefined && holder !== entry.id ? holder : undefined;
  }

  /**
   * Two records name one path (a record copied or edited by hand): the path's claim names the
   * owner; without a claim naming either, the older entry keeps the path. The other record is left
   * out. `true` when `loaded` keeps the path (the rival is then dropped from the catalog).
   */
  private async winsPath(
    loaded: LoadedRecord,
    rivalId: string,
    leaveOut: (record: LeftOutRecord) => void,
  ): Promise<boolean> {
    const { entry } = loaded.record;
    const current = await readRecordAt(this.backend, metadataKey(rivalId));
    const rival = current && !('reason' in current) && !current.record.deleted ? current : undefined;
    if (!rival || rival.record.entry.filePath !== entry.filePath) {
      // The catalog's view of the rival is stale: it was deleted (or its record is now invalid).
      await this.forget(rivalId);
      return true;
    }
    const claim = await this.claimOf(entry.filePath);
    const owner =
      claim?.id === entry.id || claim?.id === rivalId ? claim.id : olderOf(entry, rival.record.entry).id;
    const [winner, loser] = owner === entry.id ? [loaded, rival] : [rival, loaded];
    leaveOut({
      key: metadataKey(loser.record.entry.id),
      etag: loser.etag,
      namedId: loser.record.entry.id,
      kind: 'duplicate',
      reason: `its filePath ${JSON.stringify(entry.filePath)} belongs to entry ${winner.record.entry.id}${claim?.id === owner ? ' (the path claim names it)' : ' (the older entry)'}`,
    });
    if (winner === rival) return false;
    await this.forget(rivalId);
    return true;
  }

  /** The claim on `filePath`, or undefined when there is none or it is not valid. */
  private async claimOf(filePath: string): Promise<(PathClaim & { etag: string }) | undefined> {
    const key = claimKey(filePath);
    const object = await this.backend.get(key);
    if (!object) return undefined;
    try {
      return { ...decodePathClaim(await collectBody(object.body), key), etag: object.etag };
    } catch (error) {
      if (error instanceof CorruptDataError) return undefined;
      throw error;
    }
  }

  private async entryOrThrow(id: string): Promise<Entry> {
    if (typeof id !== 'string') throw new ValidationError('id must be a string');
    const cached = this.catalog.get(id);
    if (cached) return cached.entry;
    // Not in this instance's view: another instance may have stored it since.
    const loaded = await this.loadRecordOrNull(id);
    const entry = loaded ? await this.admit(loaded) : undefined;
    if (!entry) throw new NotFoundError(`no entry with id "${id}"`, { details: { id } });
    return entry;
  }

  /**
   * The record of `id`, validated (`CorruptDataError` if it is not valid). A record left out because
   * another entry owns its path is `CorruptDataError` too: acting on it would touch that entry's content.
   */
  private async loadRecordOrNull(id: string): Promise<LoadedRecord | null> {
    if (!isPlausibleId(id)) return null;
    const loaded = await readRecord(this.backend, id);
    const leftOut = loaded && this.leftOut.get(metadataKey(id));
    if (leftOut?.kind === 'duplicate' && leftOut.etag === loaded?.etag && !loaded?.record.deleted) {
      throw new CorruptDataError(`the record of entry ${id} is left out: ${leftOut.reason}`, {
        details: { id, key: leftOut.key, reason: leftOut.reason },
      });
    }
    return loaded;
  }

  private async loadFresh(id: string): Promise<LoadedRecord> {
    const loaded = await this.loadRecordOrNull(id);
    if (!loaded || loaded.record.deleted) {
      await this.forget(id);
      throw new NotFoundError(`no entry with id "${id}"`, { details: { id } });
    }
    return loaded;
  }

  /**
   * Reads content and checks it against the entry's hash. A mismatch means another writer changed the
   * entry since this instance last saw it: reload its record once and re-check before calling it corrupt.
   * Bytes that `worthChecking` rejects are returned unchecked (their reader reports nothing from them).
   */
  private async readVerified(
    id: string,
    worthChecking?: (bytes: Uint8Array) => boolean,
  ): Promise<{ entry: Entry; bytes: Uint8Array }> {
    let entry = await this.entryOrThrow(id);
    let missing = false;
    let undecodable: DataLakeError | undefined;
    for (let attempt = 0; attempt < 3; attempt++) {
      const read = await readOriginal(this.backend, entry);
      const bytes = read?.bytes;
      undecodable = read?.error;
      if (bytes && worthChecking && !worthChecking(bytes)) return { entry, bytes };
      if (bytes && sha256Hex(bytes) === entry.sha256) return { entry, bytes };
      // Another writer may have changed or deleted the entry since: its record tells (a deleted one
      // is a NotFoundError). Missing content under an unchanged record was lost or removed by hand.
      const fresh = await this.loadFresh(id);
      if (fresh.record.pending && bytes) {
        const resolved = resolvePendingView(fresh.record, digestOf(bytes));
        if (resolved) return { entry: resolved, bytes };
      }
      const current = (await this.admit(fresh)) ?? entry;
      missing = read === undefined;
      if (missing && !fresh.record.pending && sameContent(current, entry)) throw missingContent(current);
      entry = current;
    }
    if (missing) throw missingContent(entry);
    if (undecodable) throw undecodable;
    throw new CorruptDataError(`content of entry ${id} at "${entry.filePath}" does not match its SHA-256`, {
      details: { id, filePath: entry.filePath },
    });
  }

  /** The entry owning `filePath` according to its claim: finds entries another instance stored since our last refresh. */
  private async idFromClaim(filePath: string): Promise<string | undefined> {
    if (!parseContentPath(filePath)) return undefined;
    const key = claimKey(filePath);
    const claim = await this.backend.get(key);
    if (!claim) return undefined;
    const holder = decodePathClaim(await collectBody(claim.body), key);
    const owner = await this.loadRecordOrNull(holder.id);
    if (!owner || owner.record.entry.filePath !== filePath) return undefined;
    return (await this.admit(owner))?.id;
  }

  /** Creates the claim object for a path, taking over an abandoned one; returns the claim's etag. */
  private async claimPath(filePath: string, id: string): Promise<string> {
    const key = claimKey(filePath);
    const claim: PathClaim = { format: 1, id, filePath, writer: writerTag(this.instance) };
    try {
      // The claim and the content become durable with the store's record (see `PutOptions.deferDurability`).
      return (await this.backend.put(key, encodeJson(claim), { mode: PutMode.create, deferDurability: true }))
        .etag;
    } catch (error) {
      if (!(error instanceof PreconditionFailedError)) throw error;
    }
    const existing = await this.backend.get(key);
    const taken = () => new ConflictError(`path "${filePath}" is already taken`, { details: { filePath } });
    if (!existing) throw taken();
    const holder = decodePathClaim(await collectBody(existing.body), key);
    const owner = await this.loadRecordOrNull(holder.id);
    if (owner?.record.deleted && !isAbandoned(owner.record.deleted, this.leaseMs)) {
      throw new ConflictError(`path "${filePath}" is being freed by a delete; try again`, {
        details: { filePath },
      });
    }
    const ownerEntry = owner ? await this.admit(owner) : undefined;
    if (ownerEntry && (ownerEntry.filePath === filePath || storedKeyOf(ownerEntry) === filePath)) {
      throw new ConflictError(`path "${filePath}" is already taken by entry ${holder.id}`, {
        details: { filePath, id: holder.id },
      });
    }
    if (!isAbandoned(holder.writer, this.leaseMs)) {
      throw new ConflictError(`path "${filePath}" is being stored by another writer`, {
        details: { filePath },
      });
    }
    this.notice(`taking over the abandoned claim on "${filePath}" left by an interrupted store or delete`);
    try {
      return (await this.backend.put(key, encodeJson(claim), { mode: PutMode.replace(existing.etag) })).etag;
    } catch (error) {
      if (error instanceof PreconditionFailedError) throw taken();
      throw error;
    }
  }

  /** Removes this writer's claim on `filePath` (by its etag). Best effort: a leftover claim is taken over later. */
  private async releaseClaim(filePath: string, etag: string): Promise<void> {
    await ignoringBackendErrors(() => this.backend.delete(claimKey(filePath), { ifMatch: etag }));
  }

  /**
   * Claims `filePath` and writes its content as `plan` says; returns the claims and the plan that
   * was followed. A buffered body is sent as a conditional create at the same time as the claim (one
   * round trip instead of two): normally nothing is at the path yet. When the claim is lost,
   * whatever that create made is left for the claim's holder, who replaces it (deleting it could
   * remove the holder's own content). Content left by an interrupted store whose claim was taken
   * over is replaced. A stream cannot be sent twice, so it is written only once the claim is ours.
   * Compressed content goes to the suffixed key, which is claimed too (for the same entry), so that
   * no entry stored at that path can overwrite it; if another entry holds it, the content is stored
   * as it came.
   */
  private async claimAndWriteContent(
    filePath: string,
    id: string,
    given: ContentPlan,
  ): Promise<WrittenContent> {
    let plan = given;
    let created = false;
    let claimEtag: string;
    let aliasEtag: string | undefined;
    if (plan.codec) {
      claimEtag = await this.claimPath(filePath, id);
      try {
        aliasEtag = await this.claimPath(storedKey(filePath, plan.codec), id);
      } catch (error) {
        if (!(error instanceof ConflictError)) {
          await this.releaseClaim(filePath, claimEtag);
          throw error;
        }
        plan = plan.asIs();
      }
    } else if (plan.buffered) {
      const [claim, content] = await Promise.allSettled([
        this.claimPath(filePath, id),
        this.backend.put(filePath, plan.body(), { mode: PutMode.create, deferDurability: true }),
      ]);
      if (claim.status === 'rejected') throw claim.reason;
      claimEtag = claim.value;
      if (content.status === 'fulfilled') created = true;
      else if (!(content.reason instanceof PreconditionFailedError)) {
        await this.releaseClaim(filePath, claimEtag);
        throw content.reason;
      }
    } else {
      claimEtag = await this.claimPath(filePath, id);
    }
    const written: WrittenContent = { claimEtag, aliasEtag, plan };
    try {
      if (!created) await this.backend.put(storedKey(filePath, plan.codec), plan.body());
    } catch (error) {
      await this.releaseClaims(filePath, written);
      throw error;
    }
    return written;
  }

  /** Removes what a failed store or undelete wrote: its content object and claims. */
  private async undoContentWrite(filePath: string, written: WrittenContent): Promise<void> {
    await ignoringBackendErrors(() => this.backend.delete(storedKey(filePath, written.plan.codec)));
    await this.releaseClaims(filePath, written);
  }

  private async releaseClaims(filePath: string, written: WrittenContent): Promise<void> {
    if (written.aliasEtag !== undefined && written.plan.codec)
      await this.releaseClaim(storedKey(filePath, written.plan.codec), written.aliasEtag);
    await this.releaseClaim(filePath, written.claimEtag);
  }

  /** Compare-and-swap of a metadata object: the new etag, or undefined if someone else wrote first. */
  private async casRecord(etag: string, record: EntryRecord): Promise<string | undefined> {
    try {
      const written = await this.backend.put(metadataKey(record.entry.id), encodeJson(record), {
        mode: PutMode.replace(etag),
      });
      this.timeline.index.noteLive(record.entry.id, written.etag, record.history);
      return written.etag;
    } catch (error) {
      if (error instanceof PreconditionFailedError) return undefined;
      throw error;
    }
  }

  private async writeContentUpdate(
    marked: EntryRecord & { pending: PendingUpdate },
    markedEtag: string,
    body: Uint8Array | AsyncIterable<Uint8Array>,
  ): Promise<Entry> {
    const { entry: base, pending, history } = marked;
    const digest = new ContentDigest(this.captureBytes);
    const plan = planUpdate(body, digest, base);
    try {
      await this.backend.put(storedKeyOf(base), plan.body());
    } catch (error) {
      // The content write is atomic: the old content is still there, so drop the pending mark.
      await this.casRecord(markedEtag, { format: 1, entry: base, history }).catch(() => undefined);
      throw error;
    }
    const entry: Entry = Object.freeze({
      ...base,
      metadata: pending.metadata,
      updatedAt: pending.updatedAt,
      size: digest.size,
      sha256: digest.sha256(),
      ...storedField(plan),
    });
    const written = await this.casRecord(
      markedEtag,
      await this.historyOps.recordWithVersion(marked, entry, pending),
    );
    if (!written) {
      throw new ConflictError(
        `the update of ${base.id} took longer than the write lease and was taken over`,
        {
          details: { id: base.id },
        },
      );
    }
    return this.committed(entry, written, digest.bytes());
  }

  private async committed(entry: Entry, etag: string, content: Uint8Array | null): Promise<Entry> {
    this.catalog.set(entry, etag);
    this.changedSinceSnapshot = true;
    await Promise.all([this.searchIndex?.upsert(entry, content), this.journal?.noteChange(entry.id)]);
    return entry;
  }

  /** Re-reads the records of the entries the change journal names. */
  private async applyChanges(ids: readonly string[]): Promise<void> {
    for (const [id, loaded] of await readChangedRecords(this.backend, ids)) {
      if (loaded === null) await this.forget(id);
      else if ('reason' in loaded) {
        await this.forget(id);
        this.leaveOut({ ...loaded, kind: 'invalid' });
      } else await this.admit(loaded);
    }
    if (ids.length > 0) this.changedSinceSnapshot = true;
  }

  /**
   * Finishes an update whose writer is gone: if the content was replaced, commit the pending
   * metadata with the new content's hash; otherwise drop the mark. Either way the entry is whole.
   */
  private async recoverPending(loaded: LoadedRecord): Promise<Entry> {
    const { record } = loaded;
    const object = await this.backend.get(storedKeyOf(record.entry));
    // Hashed as it streams by: the content may be of any size. Compressed content that does not
    // decode (a write cut short) cannot be the update's: the entry stays as it was.
    const digest = object
      ? await digestBody(originalBody(object.body, { ...record.entry, size: Number.MAX_SAFE_INTEGER })).catch(
          (error: unknown) => {
            if (error instanceof DataLakeError)
              return { sha256: record.entry.sha256, size: record.entry.size };
            throw error;
          },
        )
      : digestOf(new Uint8Array());
    const stored =
      record.entry.stored && object ? { codec: record.entry.stored.codec, size: object.size } : undefined;
    const entry = resolvePendingView(record, digest, stored) ?? record.entry;
    const changed = entry.sha256 !== record.entry.sha256 && record.pending !== undefined;
    let written: string | undefined;
    try {
      const next = changed
        ? await this.historyOps.recordWithVersion(record, entry, record.pending as PendingUpdate)
        : { format: 1 as const, entry, history: record.history };
      written = await this.casRecord(loaded.etag, next);
    } catch (error) {
      if (!(error instanceof ReadOnlyError)) throw error;
      // Seen as it is, but not committed: kept out of the snapshot like any unfinished update.
      this.noteReadOnly(error);
      this.catalog.set(entry, loaded.etag, true);
      return entry;
    }
    if (written) {
      this.notice(`finished an interrupted update of entry ${entry.id}`);
      this.recovered('update', entry.id);
      this.catalog.set(entry, written);
      this.changedSinceSnapshot = true;
      await this.journal?.noteChange(entry.id);
      return entry;
    }
    const fresh = await this.loadFresh(entry.id);
    return fresh.record.pending ? fresh.record.entry : ((await this.admit(fresh)) ?? fresh.record.entry);
  }

  /**
   * Removes what a deleted entry leaves: content, path claim, then its (tombstone) record. The
   * content and claim stay when the claim (or, without a claim, the catalog) gives the path to
   * another entry: a record copied onto another entry's path must not take that entry's content along.
   */
  private async removeObjects(record: EntryRecord): Promise<void> {
    const { entry } = record;
    await this.historyOps.keepDeletedRecord(record);
    let claim: Awaited<ReturnType<DataLake['claimOf']>>;
    try {
      claim = await this.claimOf(entry.filePath);
    } catch (error) {
      if (!(error instanceof DataLakeError)) throw error;
      claim = undefined;
    }
    const holder = claim ? claim.id : this.catalog.idAtPath(entry.filePath);
    if (holder === undefined || holder === entry.id) {
      await this.backend.delete(storedKeyOf(entry));
      if (entry.stored) await this.releaseAliasClaim(storedKeyOf(entry), entry.id);
      if (claim) {
        const etag = claim.etag;
        await ignoringBackendErrors(() => this.backend.delete(claimKey(entry.filePath), { ifMatch: etag }));
      }
    }
    await this.backend.delete(metadataKey(entry.id));
  }

  /** Removes the claim on the suffixed key of compressed content, if it names `id`. */
  private async releaseAliasClaim(key: string, id: string): Promise<void> {
    try {
      const alias = await this.claimOf(key);
      if (alias?.id === id) {
        const etag = alias.etag;
        await ignoringBackendErrors(() => this.backend.delete(claimKey(key), { ifMatch: etag }));
      }
    } catch (error) {
      if (!(error instanceof DataLakeError)) throw error;
    }
  }

  private async forget(id: string): Promise<void> {
    if (this.catalog.delete(id)) {
      this.changedSinceSnapshot = true;
      await this.searchIndex?.remove(id);
    }
  }
}

/** What an entry with an unfinished update is, given the hash and size of its current content. */
function resolvePendingView(
  record: EntryRecord,
  content: { sha256: string; size: number },
  stored: Entry['stored'] = record.entry.stored,
): Entry | undefined {
  const { entry, pending } = record;
  if (!pending) return undefined;
  if (content.sha256 === entry.sha256) return Object.freeze({ ...entry });
  return Object.freeze({
    ...entry,
    metadata: pending.metadata,
    updatedAt: pending.updatedAt,
    size: content.size,
    sha256: content.sha256,
    ...(stored ? { stored } : {}),
  });
}

/** The `stored` field of an entry whose content `plan` wrote (none when stored as it came). */
function storedField(plan: ContentPlan): { stored?: Entry['stored'] } {
  const stored = plan.storedForm();
  return stored ? { stored } : {};
}

/** What `claimAndWriteContent` did: the path's claim, the suffixed key's claim for compressed content, and how. */
interface WrittenContent {
  claimEtag: string;
  aliasEtag: string | undefined;
  plan: ContentPlan;
}

function digestOf(bytes: Uint8Array): { sha256: string; size: number } {
  return { sha256: sha256Hex(bytes), size: bytes.byteLength };
}

/** Whether two views of an entry name the same content object with the same bytes. */
function sameContent(a: Entry, b: Entry): boolean {
  return a.filePath === b.filePath && a.sha256 === b.sha256;
}

function missingContent(entry: Entry): CorruptDataError {
  return new CorruptDataError(`content of entry ${entry.id} at "${entry.filePath}" is missing`, {
    details: { id: entry.id, filePath: entry.filePath, problem: 'missing-content' },
  });
}

/** A size option: a positive integer number of bytes, or the default. */
function sizeOption(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value <= 0)
    throw new ValidationError(`${name} must be a positive whole number of bytes, got ${String(value)}`);
  return value;
}

/** Cleanup that must not hide the error that caused it: a failing backend is left as it is. */
async function ignoringBackendErrors(work: () => Promise<unknown>): Promise<void> {
  try {
    await work();
  } catch (error) {
    if (!(error instanceof DataLakeError)) throw error;
  }
}

function newEntryId(): string {
  return crypto.randomUUID();
}

/** Of two entries, the one created first (then the smaller id): the same answer for every instance. */
function olderOf(a: Entry, b: Entry): Entry {
  const order = Date.parse(a.createdAt) - Date.parse(b.createdAt);
  if (order !== 0) return order < 0 ? a : b;
  return a.id < b.id ? a : b;
}

/** A `.metadata/` record the catalog does not hold although it exists. */
export interface LeftOutRecord extends InvalidRecord {
  /** `invalid`: not a record the lake could have written; `duplicate`: valid, but another entry owns its path. */
  kind: 'invalid' | 'duplicate';
}

const TYPES_IN_PATH_ORDER: readonly DataType[] = [...DATA_TYPES].sort();

/** Randomised exponential backoff between compare-and-swap attempts (about 6 s in all, at most). */
function pause(attempt: number): Promise<void> {
  const ms = Math.min(1500, 10 * 2 ** attempt) * (0.5 + Math.random());
  return new Promise((resolve) => setTimeout(resolve, ms));
}
