import type { Entry, StorageBackend } from '@datalake/model';
import { CorruptDataError, NotFoundError } from '@datalake/model';
import type { Catalog } from './catalog.js';
import { readChangedRecords } from './changed-records.js';
import type { RecoveredWrite } from './fsck.js';
import { type InvalidRecord, type LoadedRecord, readRecord, readRecordAt, reconcile } from './loader.js';
import { isPlausibleId, metadataKey } from './paths.js';
import type { EntryRecord, PathClaim } from './record.js';
import { isAbandoned } from './writer.js';

/** Left-out records reported one by one per load; past this, one line says how many more there are. */
const MAX_LEFT_OUT_NOTICES = 50;
/** Recovered writes remembered for `fsck` (the oldest are dropped past this). */
const MAX_RECOVERIES_KEPT = 1000;

/** A `.metadata/` record the catalog does not hold although it exists. */
export interface LeftOutRecord extends InvalidRecord {
  /** `invalid`: not a record the lake could have written; `duplicate`: valid, but another entry owns its path. */
  kind: 'invalid' | 'duplicate';
}

/** What keeping the catalog in step with the records needs of the lake. */
export interface CatalogSyncHost {
  backend: StorageBackend;
  catalog: Catalog;
  leaseMs: number;
  notice(message: string): void;
  /** The claim on `filePath`, or undefined when there is none or it is not valid. */
  claimOf(filePath: string): Promise<(PathClaim & { etag: string }) | undefined>;
  /** Finishes an update whose writer is gone (see `WriteRecovery`). */
  recoverPending(loaded: LoadedRecord): Promise<Entry>;
  /** Removes what a deleted entry leaves (see `WriteRecovery`). */
  removeObjects(record: EntryRecord): Promise<void>;
  /** Runs a best-effort write; `false` when the lake turned out to be read-only. */
  unlessReadOnly(write: Promise<unknown>): Promise<boolean>;
  /** An entry left the catalog: the snapshot is out of date and the search index drops it. */
  forgotten(id: string): Promise<void>;
  /** Entries of the catalog changed: the snapshot is out of date. */
  markChanged(): void;
}

/**
 * The catalog sync: brings the in-memory catalog up to date with the `.metadata/` records (a full
 * load against a listing, or the entries the change journal names), admits each record (finishing
 * writes whose writer is gone), settles two records that name one path, and remembers the records
 * it left out and the writes it finished.
 */
export class CatalogSync {
  /**
   * Records of `.metadata/` that are not in the catalog although they exist: invalid ones, and valid
   * ones whose path another entry owns. By key; rebuilt by every load, each reported once.
   */
  private leftOut = new Map<string, LeftOutRecord>();
  /** Abandoned writes this instance finished since `fsck` last asked. */
  private recoveries: RecoveredWrite[] = [];

  constructor(private readonly host: CatalogSyncHost) {}

  /** The records left out of the catalog, as of the last load. */
  leftOutRecords(): Iterable<LeftOutRecord> {
    return this.leftOut.values();
  }

  /** The abandoned writes finished since the last call. */
  takeRecoveries(): RecoveredWrite[] {
    return this.recoveries.splice(0);
  }

  recovered(kind: RecoveredWrite['kind'], id: string): void {
    this.recoveries.push({ kind, id });
    if (this.recoveries.length > MAX_RECOVERIES_KEPT) this.recoveries.shift();
  }

  /**
   * Brings the catalog up to date with the `.metadata/` objects. `known` records (from the snapshot
   * or the catalog) are reused when their etag still matches. Those of `inPathOrder` (the snapshot,
   * written in path order) go in first and in that order, which keeps the catalog's bulk load cheap.
   */
  async loadCatalog(
    known: Parameters<typeof reconcile>[1],
    listing?: Promise<Map<string, string>>,
    inPathOrder: Iterable<LoadedRecord> = [],
  ): Promise<{ fetched: number }> {
    const { catalog } = this.host;
    const result = await reconcile(this.host.backend, known, listing, (key) => {
      const bad = this.leftOut.get(key);
      return bad?.kind === 'invalid' ? bad : undefined;
    });
    const reported = this.leftOut;
    this.leftOut = new Map();
    const notices = { shown: 0, more: 0 };
    const leaveOut = (record: LeftOutRecord) => this.leaveOut(record, reported, notices);
    for (const bad of result.invalid.values()) leaveOut({ ...bad, kind: 'invalid' });
    for (const item of [...catalog.items()]) {
      if (!result.records.has(item.entry.id)) catalog.delete(item.entry.id);
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
    catalog.settle();
    if (notices.more > 0)
      this.host.notice(`left out ${notices.more} more entry records (fsck lists them all)`);
    return { fetched: result.fetched };
  }

  /** Re-reads the records of the entries the change journal names. */
  async applyChanges(ids: readonly string[]): Promise<void> {
    for (const [id, loaded] of await readChangedRecords(this.host.backend, ids)) {
      if (loaded === null) await this.forget(id);
      else if ('reason' in loaded) {
        await this.forget(id);
        this.leaveOut({ ...loaded, kind: 'invalid' });
      } else await this.admit(loaded);
    }
    if (ids.length > 0) this.host.markChanged();
  }

  /**
   * Puts a record read from the backend into the catalog, finishing an abandoned update or delete
   * first. `undefined` when the record is a deletion (the entry is gone).
   */
  async admit(
    loaded: LoadedRecord,
    leaveOut: (record: LeftOutRecord) => void = (record) => this.leaveOut(record),
  ): Promise<Entry | undefined> {
    const { host } = this;
    const { deleted, pending } = loaded.record;
    if (deleted) {
      await this.forget(loaded.record.entry.id);
      if (
        isAbandoned(deleted, host.leaseMs) &&
        (await host.unlessReadOnly(host.removeObjects(loaded.record)))
      ) {
        host.notice(`finished an interrupted delete of entry ${loaded.record.entry.id}`);
        this.recovered('delete', loaded.record.entry.id);
      }
      return undefined;
    }
    if (pending && isAbandoned(pending.writer, host.leaseMs)) {
      return host.recoverPending(loaded);
    }
    const rival = this.rivalOf(loaded.record.entry);
    if (rival !== undefined && !(await this.winsPath(loaded, rival, leaveOut))) return undefined;
    this.putInCatalog(loaded);
    return loaded.record.entry;
  }

  /** Drops an entry from the catalog (and the search index). */
  async forget(id: string): Promise<void> {
    if (this.host.catalog.delete(id)) await this.host.forgotten(id);
  }

  /**
   * The record of `id`, validated (`CorruptDataError` if it is not valid). A record left out because
   * another entry owns its path is `CorruptDataError` too: acting on it would touch that entry's content.
   */
  async loadRecordOrNull(id: string): Promise<LoadedRecord | null> {
    if (!isPlausibleId(id)) return null;
    const loaded = await readRecord(this.host.backend, id);
    const leftOut = loaded && this.leftOut.get(metadataKey(id));
    if (leftOut?.kind === 'duplicate' && leftOut.etag === loaded?.etag && !loaded?.record.deleted) {
      throw new CorruptDataError(`the record of entry ${id} is left out: ${leftOut.reason}`, {
        details: { id, key: leftOut.key, reason: leftOut.reason },
      });
    }
    return loaded;
  }

  /** The record of a live entry, read afresh; `NotFoundError` (and the entry forgotten) when it is gone. */
  async loadFresh(id: string): Promise<LoadedRecord> {
    const loaded = await this.loadRecordOrNull(id);
    if (!loaded || loaded.record.deleted) {
      await this.forget(id);
      throw new NotFoundError(`no entry with id "${id}"`, { details: { id } });
    }
    return loaded;
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
    this.host.notice(
      `left out entry record ${JSON.stringify(record.key)}: ${record.reason}; fsck with repair moves it to the quarantine`,
    );
  }

  /**
   * `admit` for the common case, without awaiting: a record that is neither a deletion nor an
   * abandoned update, at a path no other entry holds, goes straight into the catalog. `false` when
   * the record needs `admit`.
   */
  private admitCommitted(loaded: LoadedRecord): boolean {
    const { deleted, pending } = loaded.record;
    if (deleted || (pending && isAbandoned(pending.writer, this.host.leaseMs))) return false;
    if (this.rivalOf(loaded.record.entry) !== undefined) return false;
    this.putInCatalog(loaded);
    return true;
  }

  private putInCatalog(loaded: LoadedRecord): void {
    const { catalog } = this.host;
    const existing = catalog.get(loaded.record.entry.id);
    if (!existing || existing.etag !== loaded.etag) {
      catalog.set(loaded.record.entry, loaded.etag, loaded.record.pending !== undefined);
    }
  }

  /** Another entry of the catalog at `entry`'s path. */
  private rivalOf(entry: Entry): string | undefined {
    const holder = this.host.catalog.idAtPath(entry.filePath);
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
    const current = await readRecordAt(this.host.backend, metadataKey(rivalId));
    const rival = current && !('reason' in current) && !current.record.deleted ? current : undefined;
    if (!rival || rival.record.entry.filePath !== entry.filePath) {
      // The catalog's view of the rival is stale: it was deleted (or its record is now invalid).
      await this.forget(rivalId);
      return true;
    }
    const claim = await this.host.claimOf(entry.filePath);
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
}

/** Of two entries, the one created first (then the smaller id): the same answer for every instance. */
function olderOf(a: Entry, b: Entry): Entry {
  const order = Date.parse(a.createdAt) - Date.parse(b.createdAt);
  if (order !== 0) return order < 0 ? a : b;
  return a.id < b.id ? a : b;
}
