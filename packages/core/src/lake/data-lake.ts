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
  type DataLakeError,
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
import { CatalogSync } from './catalog-sync.js';
import { type ChangeFeed, ChangeJournal, type ChangeJournalOptions } from './change-journal.js';
import { LakeCompression } from './compression/lake-compression.js';
import { readOriginal } from './compression/read-original.js';
import type { CompressionSettings } from './compression/settings.js';
import {
  ContentPlan,
  originalBody,
  planNewContent,
  planUpdate,
  sliceOf,
  storedKeyOf,
} from './compression/stored-content.js';
import { ContentDigest, contentChunks, sha256Hex } from './content.js';
import type { FolderNode } from './folder-totals.js';
import { checkLake, type FsckHost, type FsckOptions, type FsckReport } from './fsck.js';
import { normaliseNote } from './history/inputs.js';
import { deletedKey } from './history/keys.js';
import { type HistoryHost, LakeHistory } from './history/lake-history.js';
import { assertNoHold } from './history/retention/holds.js';
import { LakeRetention } from './history/retention/lake-retention.js';
import type { ChangeNote, EntryHistory, HistoryOptions, VersionDiff } from './history/types.js';
import { firstHistory, type VersionChange, VersionWriter } from './history/version-writer.js';
import { type HistoryTransferHost, LakeHistoryTransfer } from './history-transfer/index.js';
import type { EntryStream, Lake } from './lake.js';
import { type LoadedRecord, listRecords, readRecordAt, readSnapshot, writeSnapshot } from './loader.js';
import { normaliseMetadata } from './metadata.js';
import {
  assertDataType,
  claimKey,
  contentKey,
  metadataKey,
  normaliseName,
  normaliseSubpath,
  parseContentPath,
} from './paths.js';
import { decodePathClaim, type EntryRecord, encodeJson } from './record.js';
import { ignoringBackendErrors } from './write-protocol/cleanup.js';
import { EntryUpdates, storedField } from './write-protocol/entry-updates.js';
import { PathClaims, type WrittenContent } from './write-protocol/path-claims.js';
import { casRecord } from './write-protocol/record-cas.js';
import { digestOf, resolvePendingView, WriteRecovery } from './write-protocol/recovery.js';
import { RETRY_AFTER_PAUSE, retryWrite } from './write-protocol/retry.js';
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
const DEFAULT_INDEX_FROM_MEMORY = 16 * 1024 * 1024;
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
  /** Keeps the catalog in step with the records (loads, the change journal, admitting records). */
  private readonly sync: CatalogSync;
  /** Path claims and the content written under them: the first step of every store. */
  private readonly claims: PathClaims;
  /** Finishes the writes of writers that are gone. */
  private readonly recovery: WriteRecovery;
  /** New versions of entries (`update`, `restore`): compare-and-swap of their records. */
  private readonly updates: EntryUpdates;
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
    this.claims = new PathClaims({
      backend,
      writer: () => writerTag(this.instance),
      leaseMs: this.leaseMs,
      notice: (message) => this.notice(message),
      loadRecordOrNull: (id) => this.loadRecordOrNull(id),
      admit: (loaded) => this.admit(loaded),
    });
    this.sync = new CatalogSync({
      backend,
      catalog: this.catalog,
      leaseMs: this.leaseMs,
      notice: (message) => this.notice(message),
      claimOf: (filePath) => this.claims.claimOf(filePath),
      recoverPending: (loaded) => this.recovery.recoverPending(loaded),
      removeObjects: (record) => this.recovery.removeObjects(record),
      unlessReadOnly: (write) => this.unlessReadOnly(write),
      forgotten: async (id) => {
        this.changedSinceSnapshot = true;
        await this.searchIndex?.remove(id);
      },
      markChanged: () => {
        this.changedSinceSnapshot = true;
      },
    });
    this.timeline = new LakeHistory(this.historyHost());
    this.recovery = new WriteRecovery({
      backend,
      catalog: this.catalog,
      claims: this.claims,
      historyOps: this.historyOps,
      leaseMs: this.leaseMs,
      notice: (message) => this.notice(message),
      casRecord: (etag, record) => this.casRecord(etag, record),
      loadFresh: (id) => this.sync.loadFresh(id),
      admit: (loaded) => this.admit(loaded),
      recovered: (kind, id) => this.sync.recovered(kind, id),
      noteReadOnly: (error) => this.noteReadOnly(error),
      noteCommitted: async (id) => {
        this.changedSinceSnapshot = true;
        await this.journal?.noteChange(id);
      },
    });
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
    this.updates = new EntryUpdates({
      backend,
      historyOps: this.historyOps,
      captureBytes: this.captureBytes,
      writer: () => writerTag(this.instance),
      loadFresh: (id) => this.loadFresh(id),
      waitForPending: (loaded) => this.recovery.waitForPending(loaded),
      casRecord: (etag, record) => this.casRecord(etag, record),
      committed: (entry, etag, content) => this.committed(entry, etag, content),
    });
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
      catalogVersion: () => this.catalog.version,
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
    const result = await lake.sync.loadCatalog((id) => snapshot.get(id), listing, snapshot.values());
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
      await this.sync.applyChanges(batch.ids);
      batch.commit();
    } else {
      const started = this.journal?.fullLoadStarting();
      const result = await this.sync.loadCatalog((id) => {
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
      this.historyOps.rememberContent(entry, digest.bytes(), content.contentEtag);
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

  /** `true` if the entry existed and is now deleted, `false` if there was no such entry. */
  async delete(id: string, options?: ChangeNoteInput): Promise<boolean> {
    this.assertOpen();
    const note = normaliseNote(options);
    if (typeof id !== 'string' || id.length === 0) return false;
    return retryWrite(id, async () => {
      const current = await this.loadRecordOrNull(id);
      if (!current || current.record.deleted) {
        if (current) await this.admit(current);
        await this.forget(id);
        return false;
      }
      if (current.record.pending) return this.recovery.waitForPending(current);
      await this.historyOps.assertDeletable(current.record);
      await this.historyOps.keepCurrentContent(current.record.entry);
      // The conditional put of a tombstone is the commit point: it loses to any concurrent update.
      const tombstone: EntryRecord = {
        ...(await this.historyOps.recordWithDeletion(current.record, note)),
        deleted: writerTag(this.instance),
      };
      if (!(await this.casRecord(current.etag, tombstone))) return RETRY_AFTER_PAUSE;
      await this.forget(id);
      await Promise.all([this.removeObjects(tombstone), this.journal?.noteChange(id)]);
      return true;
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
      leftOut: () => this.sync.leftOutRecords(),
      takeRecoveries: () => this.sync.takeRecoveries(),
      recover: async (id) => {
        const loaded = await readRecordAt(this.backend, metadataKey(id));
        if (loaded && !('reason' in loaded)) await this.admit(loaded);
      },
      checkIndex: this.searchIndex ? () => this.checkIndex() : undefined,
      reindex: this.searchIndex ? () => this.reindex() : undefined,
    };
  }

  // The write protocol and the catalog sync live in modules of their own (`write-protocol/`,
  // `catalog-sync.ts`); these delegates keep the names the rest of the lake calls them by.

  private admit(loaded: LoadedRecord): Promise<Entry | undefined> {
    return this.sync.admit(loaded);
  }

  private forget(id: string): Promise<void> {
    return this.sync.forget(id);
  }

  private loadRecordOrNull(id: string): Promise<LoadedRecord | null> {
    return this.sync.loadRecordOrNull(id);
  }

  private loadFresh(id: string): Promise<LoadedRecord> {
    return this.sync.loadFresh(id);
  }

  private removeObjects(record: EntryRecord): Promise<void> {
    return this.recovery.removeObjects(record);
  }

  private claimAndWriteContent(filePath: string, id: string, plan: ContentPlan): Promise<WrittenContent> {
    return this.claims.claimAndWriteContent(filePath, id, plan);
  }

  private undoContentWrite(filePath: string, written: WrittenContent): Promise<void> {
    return this.claims.undoContentWrite(filePath, written);
  }

  private releaseClaim(filePath: string, etag: string): Promise<void> {
    return this.claims.releaseClaim(filePath, etag);
  }

  /** Commits a new version of `id`: `patch` merged into (or, with `replace`, replacing) its metadata. */
  private writeVersion(id: string, change: VersionChange): Promise<Entry> {
    return this.updates.writeVersion(id, change);
  }

  /** Compare-and-swap of a metadata object: the new etag, or undefined if someone else wrote first. */
  private async casRecord(etag: string, record: EntryRecord): Promise<string | undefined> {
    const written = await casRecord(this.backend, etag, record);
    if (written !== undefined) this.timeline.index.noteLive(record.entry.id, written, record.history);
    return written;
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

  private async committed(entry: Entry, etag: string, content: Uint8Array | null): Promise<Entry> {
    this.catalog.set(entry, etag);
    this.changedSinceSnapshot = true;
    await Promise.all([this.searchIndex?.upsert(entry, content), this.journal?.noteChange(entry.id)]);
    return entry;
  }
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

function newEntryId(): string {
  return crypto.randomUUID();
}

const TYPES_IN_PATH_ORDER: readonly DataType[] = [...DATA_TYPES].sort();
