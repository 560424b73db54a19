import { createHash } from 'node:crypto';
import type { ListedObject, StorageBackend } from '@datalake/model';
import {
  CorruptDataError,
  collectBody,
  DATA_TYPES,
  DataLakeError,
  PreconditionFailedError,
  PutMode,
  ValidationError,
} from '@datalake/model';
import type { IndexCheckReport, IndexReport } from '@datalake/search';
import type { CatalogItem } from './catalog.js';
import { originalBody, storedKeyOf, storedSizeOf, unsuffixed } from './compression/stored-content.js';
import { checkVersions, type VersionsProblemKind } from './history/fsck-versions.js';
import { type InvalidRecord, readRecordAt } from './loader.js';
import {
  CLAIMS_PREFIX,
  claimKey,
  INDEX_PREFIX,
  idFromMetadataKey,
  isClaimKey,
  METADATA_PREFIX,
  metadataKey,
} from './paths.js';
import { Quarantine } from './quarantine.js';
import { decodePathClaim, encodeJson, type PathClaim, type WriterTag } from './record.js';
import { isAbandoned } from './writer.js';

/** Every kind of problem `fsck` reports. */
export type FsckProblemKind =
  /** A `.metadata/` record that is not valid (not JSON, wrong shape, unsafe path, id not its key). Quarantined. */
  | 'invalid-record'
  /** A valid record whose path another entry owns (a copied record). Quarantined. */
  | 'duplicate-record'
  /** An object in `.metadata/` or `.claims/` that is not a record or claim at all. Quarantined. */
  | 'stray-object'
  /** A `.claims/` object that is not a valid claim of the path it is named after. Quarantined. */
  | 'invalid-claim'
  /** A claim no entry holds (an interrupted store) or that names an entry elsewhere. Released. */
  | 'stale-claim'
  /** An entry whose path has no claim: another store could take its path. Recreated. */
  | 'missing-claim'
  /** An entry whose content object is gone. Not repairable: re-ingest or restore from a backup. */
  | 'missing-content'
  /** An entry whose content's size or SHA-256 differs from the entry's. Not repairable either. */
  | 'content-mismatch'
  /** A content object no entry owns. Quarantined. */
  | 'orphaned-content'
  /** An update whose writer is gone. Finished (by loading the lake, or by `repair`). */
  | 'unfinished-update'
  /** A delete whose writer is gone. Finished (by loading the lake, or by `repair`). */
  | 'unfinished-delete'
  /** The search index does not cover every entry, or a segment is corrupt. Rebuilt. */
  | 'search-index'
  /** Entry history (`.versions/`): see `checkVersions`. */
  | VersionsProblemKind;

export type FsckAction = 'quarantined' | 'released' | 'recreated' | 'finished' | 'reindexed';

export interface FsckProblem {
  kind: FsckProblemKind;
  /** The object the problem is about (a record, claim or content key; `.index/` for the index). */
  key: string;
  /** The entry concerned, when there is one. */
  id?: string;
  /** What is wrong. */
  reason: string;
  /** Whether `repair` can fix it. Missing or damaged content cannot be: nothing holds another copy. */
  repairable: boolean;
  /** Set when this run fixed it. `to`: where a quarantined object went. */
  repaired?: { action: FsckAction; to?: string };
  /** Set when a repair was attempted and failed (the problem remains). */
  repairError?: string;
}

export interface FsckOptions {
  /** Fix what can be fixed (see `FsckProblemKind`). Default false: only report. */
  repair?: boolean;
  /**
   * `'hash'` (default): read every content object and compare its size and SHA-256 with its entry's.
   * `'size'`: compare the sizes the listing gives, reading no content (fast on large lakes).
   */
  verifyContent?: 'hash' | 'size';
  /** Content objects hashed at once (default 4). Memory stays at a few chunks per object. */
  concurrency?: number;
}

export interface FsckReport {
  /** No problem is left: nothing was found, or everything found was repaired. */
  ok: boolean;
  repair: boolean;
  /** Everything found, in the order found (records, claims, content, index), with what was done. */
  problems: FsckProblem[];
  /** Problems found that are still there. */
  remaining: number;
  checked: {
    records: number;
    entries: number;
    claims: number;
    contentObjects: number;
    /** Bytes of content read and hashed (0 with `verifyContent: 'size'`). */
    contentBytesVerified: number;
    /** Whether the search index was checked (a lake opened with `search: 'scan'` has none). */
    searchIndex: boolean;
  };
  /**
   * Objects of writes still in progress (a store's claim or content, a pending update, a deletion
   * mark of a live writer) met on the way: not problems.
   */
  inProgress: number;
  /** The quarantine folder of this run, when something was moved there. */
  quarantine?: string;
  durationMs: number;
}

/** A write the lake finished on its own (on open or refresh) because its writer was gone. */
export interface RecoveredWrite {
  kind: 'update' | 'delete';
  id: string;
}

/** What `checkLake` needs of a lake. */
export interface FsckHost {
  readonly backend: StorageBackend;
  readonly leaseMs: number;
  /** A writer tag for the claims `repair` recreates. */
  writer(): WriterTag;
  /** Brings the view up to date with the backend (which finishes abandoned writes). */
  refresh(): Promise<void>;
  item(id: string): CatalogItem | undefined;
  idAtPath(filePath: string): string | undefined;
  itemsInPathOrder(): Iterable<CatalogItem>;
  /** Records of `.metadata/` the catalog leaves out, as of the last refresh. */
  leftOut(): Iterable<InvalidRecord & { kind: 'invalid' | 'duplicate' }>;
  /** Abandoned writes finished since the last call. */
  takeRecoveries(): RecoveredWrite[];
  /** Finishes an abandoned write of entry `id`, as loading does. */
  recover(id: string): Promise<void>;
  checkIndex?: () => Promise<IndexCheckReport>;
  reindex?: () => Promise<IndexReport>;
}

const MAX_LIST_PAGES = 1_000_000;
/** Objects per listing page: large enough for few round trips, small enough to hold. */
const LIST_PAGE = 10_000;
const DEFAULT_CONCURRENCY = 4;

/** Checks (and with `repair`, fixes) the lake behind `host`. See `DataLake.fsck`. */
export async function checkLake(host: FsckHost, options: FsckOptions = {}): Promise<FsckReport> {
  const started = performance.now();
  const concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
  if (!Number.isSafeInteger(concurrency) || concurrency < 1)
    throw new ValidationError('fsck concurrency must be a positive integer');
  const verifyContent = options.verifyContent ?? 'hash';
  if (verifyContent !== 'hash' && verifyContent !== 'size')
    throw new ValidationError(`fsck verifyContent must be 'hash' or 'size'`);
  await host.refresh();
  const run = new FsckRun(host, options.repair === true, verifyContent, concurrency);
  await run.all();
  const remaining = run.problems.filter((problem) => !problem.repaired).length;
  return {
    ok: remaining === 0,
    repair: run.repair,
    problems: run.problems,
    remaining,
    checked: run.checked,
    inProgress: run.inProgress,
    ...(run.quarantineUsed ? { quarantine: run.quarantine.prefix } : {}),
    durationMs: performance.now() - started,
  };
}

class FsckRun {
  readonly problems: FsckProblem[] = [];
  readonly checked: FsckReport['checked'] = {
    records: 0,
    entries: 0,
    claims: 0,
    contentObjects: 0,
    contentBytesVerified: 0,
    searchIndex: false,
  };
  inProgress = 0;
  readonly quarantine: Quarantine;
  quarantineUsed = false;
  /** Entries whose claim was seen (the catalog's own id strings: no copies). */
  private readonly claimed = new Set<string>();
  /** Entries whose content object was listed. */
  private readonly listed = new Set<string>();
  /** Ids named by records that are not valid (or left out): their claims and content have no entry. */
  private readonly leftOutIds = new Set<string>();

  constructor(
    private readonly host: FsckHost,
    readonly repair: boolean,
    private readonly verifyContent: 'hash' | 'size',
    private readonly concurrency: number,
  ) {
    this.quarantine = new Quarantine(host.backend);
  }

  async all(): Promise<void> {
    for (const write of this.host.takeRecoveries()) {
      this.problems.push({
        kind: write.kind === 'update' ? 'unfinished-update' : 'unfinished-delete',
        key: metadataKey(write.id),
        id: write.id,
        reason: `its writer was gone; the lake finished the ${write.kind} when it loaded the record`,
        repairable: true,
        repaired: { action: 'finished' },
      });
    }
    await this.checkRecords();
    await this.checkClaims();
    await this.checkMissingClaims();
    await this.checkContent();
    await checkVersions({
      backend: this.host.backend,
      graceMs: this.host.leaseMs,
      verifyContent: this.verifyContent,
      items: () => this.host.itemsInPathOrder(),
      report: (kind, key, reason, id) =>
        this.problems.push({ kind, key, ...(id ? { id } : {}), reason, repairable: false }),
      quarantined: (kind, object, reason, id) => this.quarantined(kind, object, reason, id),
      verified: (bytes) => {
        this.checked.contentBytesVerified += bytes;
      },
    });
    await this.checkIndex();
  }

  // --- records ----------------------------------------------------------------------------------

  private async checkRecords(): Promise<void> {
    const leftOut = new Map<string, InvalidRecord & { kind: 'invalid' | 'duplicate' }>();
    for (const record of this.host.leftOut()) leftOut.set(record.key, record);
    await forEachListed(this.host.backend, METADATA_PREFIX, async (object) => {
      const id = idFromMetadataKey(object.key);
      if (id === undefined) {
        await this.quarantined(
          'stray-object',
          object,
          'it is not a record (records are .metadata/<id>.json)',
        );
        return;
      }
      this.checked.records++;
      const item = this.host.item(id);
      if (item) {
        this.checked.entries++;
        if (item.pending) this.inProgress++;
        return;
      }
      const known = leftOut.get(object.key);
      if (known && known.etag === object.etag) {
        this.leftOutIds.add(id);
        if (known.namedId) this.leftOutIds.add(known.namedId);
        const kind = known.kind === 'invalid' ? 'invalid-record' : 'duplicate-record';
        await this.quarantined(kind, object, known.reason, entryIdOf(id, known.namedId));
        return;
      }
      await this.checkUnknownRecord(object, id);
    });
  }

  /** A record the last refresh did not see as it is now: written or changed since. */
  private async checkUnknownRecord(object: ListedObject, id: string): Promise<void> {
    const loaded = await readRecordAt(this.host.backend, object.key);
    if (!loaded) return;
    if ('reason' in loaded) {
      this.leftOutIds.add(id);
      if (loaded.namedId) this.leftOutIds.add(loaded.namedId);
      const listed = { ...object, etag: loaded.etag };
      await this.quarantined('invalid-record', listed, loaded.reason, entryIdOf(id, loaded.namedId));
      return;
    }
    const { deleted, pending } = loaded.record;
    const writer = deleted ?? pending?.writer;
    if (!writer) return; // stored since the refresh: checked by the next run
    if (!isAbandoned(writer, this.host.leaseMs)) {
      this.inProgress++;
      return;
    }
    const kind = deleted ? 'delete' : 'update';
    await this.attempt(
      {
        kind: deleted ? 'unfinished-delete' : 'unfinished-update',
        key: object.key,
        id,
        reason: `its writer is gone, leaving the ${kind} unfinished`,
        repairable: true,
      },
      async () => {
        await this.host.recover(id);
        return { action: 'finished' };
      },
    );
  }

  // --- claims -----------------------------------------------------------------------------------

  private async checkClaims(): Promise<void> {
    await forEachListed(this.host.backend, CLAIMS_PREFIX, async (object) => {
      if (!isClaimKey(object.key)) {
        await this.quarantined(
          'stray-object',
          object,
          'it is not a claim (claims are .claims/<sha256 of path>)',
        );
        return;
      }
      this.checked.claims++;
      const read = await this.readClaim(object.key);
      if (!read) return;
      if ('reason' in read) {
        await this.quarantined('invalid-claim', { ...object, etag: read.etag }, read.reason);
        return;
      }
      const { claim, etag } = read;
      const holder = this.host.item(claim.id);
      if (holder && storedKeyOf(holder.entry) === claim.filePath) return; // compressed content's second claim
      if (holder?.entry.filePath === claim.filePath) {
        this.claimed.add(holder.entry.id);
        return;
      }
      const stale = holder
        ? `entry ${claim.id} is at ${JSON.stringify(holder.entry.filePath)}, not at the path it claims`
        : await this.staleClaimReason(claim);
      if (stale === undefined) return;
      await this.attempt(
        {
          kind: 'stale-claim',
          key: object.key,
          id: claim.id,
          reason: `it claims ${JSON.stringify(claim.filePath)} for entry ${claim.id}, but ${stale}`,
          repairable: true,
        },
        async () => {
          await this.host.backend.delete(object.key, { ifMatch: etag });
          return { action: 'released' };
        },
      );
    });
  }

  /** Why a claim whose entry is not in the catalog is stale, or undefined if it is not (yet). */
  private async staleClaimReason(claim: PathClaim): Promise<string | undefined> {
    if (this.leftOutIds.has(claim.id)) return "that entry's record is not valid (or is left out)";
    const loaded = await readRecordAt(this.host.backend, metadataKey(claim.id));
    if (!loaded) {
      if (isAbandoned(claim.writer, this.host.leaseMs)) return 'no entry holds it and its writer is gone';
      this.inProgress++; // a store in progress
      return undefined;
    }
    if ('reason' in loaded) return "that entry's record is not valid";
    const { entry, deleted } = loaded.record;
    if (deleted) return undefined; // the delete releases it (finished above if abandoned)
    if (storedKeyOf(entry) === claim.filePath) return undefined; // compressed content's second claim
    if (entry.filePath !== claim.filePath) return `that entry is at ${JSON.stringify(entry.filePath)}`;
    if (this.host.idAtPath(entry.filePath) === undefined) return undefined; // stored since the refresh
    return `entry ${this.host.idAtPath(entry.filePath)} holds that path (the record of ${claim.id} is left out)`;
  }

  private async readClaim(
    key: string,
  ): Promise<{ claim: PathClaim; etag: string } | { reason: string; etag: string } | null> {
    const object = await this.host.backend.get(key);
    if (!object) return null;
    try {
      return { claim: decodePathClaim(await collectBody(object.body), key), etag: object.etag };
    } catch (error) {
      if (!(error instanceof CorruptDataError)) throw error;
      return { reason: String(error.details.reason ?? error.message), etag: object.etag };
    }
  }

  private async checkMissingClaims(): Promise<void> {
    for (const item of this.host.itemsInPathOrder()) {
      const { entry } = item;
      if (this.claimed.has(entry.id)) continue;
      const key = claimKey(entry.filePath);
      if (await this.host.backend.head(key)) continue; // claimed since the listing
      await this.attempt(
        {
          kind: 'missing-claim',
          key,
          id: entry.id,
          reason: `entry ${entry.id} at ${JSON.stringify(entry.filePath)} has no path claim, so another store could take its path`,
          repairable: true,
        },
        async () => {
          const claim: PathClaim = {
            format: 1,
            id: entry.id,
            filePath: entry.filePath,
            writer: this.host.writer(),
          };
          await this.host.backend.put(key, encodeJson(claim), { mode: PutMode.create });
          return { action: 'recreated' };
        },
      );
    }
  }

  // --- content ----------------------------------------------------------------------------------

  private async checkContent(): Promise<void> {
    const sizeMismatches: CatalogItem[] = [];
    for (const dataType of DATA_TYPES) {
      await forEachListed(this.host.backend, `${dataType}/`, async (object) => {
        this.checked.contentObjects++;
        const item = this.ownerOf(object.key);
        if (!item) {
          await this.checkUnowned(object);
          return;
        }
        this.listed.add(item.entry.id);
        if (this.verifyContent === 'size' && !item.pending && object.size !== storedSizeOf(item.entry))
          sizeMismatches.push(item);
      });
    }
    const toHash: CatalogItem[] = [];
    for (const item of this.host.itemsInPathOrder()) {
      if (item.pending) continue; // an update in progress: counted with the records
      if (!this.listed.has(item.entry.id)) await this.confirmMissing(item);
      else if (this.verifyContent === 'hash') toHash.push(item);
    }
    for (const item of sizeMismatches)
      await this.confirmMismatch(item, `its size is not ${storedSizeOf(item.entry)} bytes`);
    let next = 0;
    const worker = async () => {
      while (next < toHash.length) {
        const item = toHash[next++] as CatalogItem;
        const problem = await this.hashProblem(item);
        if (problem === null) await this.confirmMissing(item);
        else if (problem !== undefined) await this.confirmMismatch(item, problem);
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.concurrency, toHash.length) }, worker));
  }

  /**
   * What is wrong with an entry's content: `undefined` nothing, `null` it is missing, else a
   * description. The content is streamed through the hash, never held.
   */
  private async hashProblem(item: CatalogItem): Promise<string | null | undefined> {
    const { entry } = item;
    const object = await this.host.backend.get(storedKeyOf(entry));
    if (!object) return null;
    const hash = createHash('sha256');
    let size = 0;
    try {
      for await (const chunk of originalBody(object.body, entry)) {
        hash.update(chunk);
        size += chunk.byteLength;
      }
    } catch (error) {
      if (!(error instanceof DataLakeError)) throw error;
      return `its ${entry.stored?.codec} content does not decompress to the entry's: ${error.message}`;
    }
    this.checked.contentBytesVerified += size;
    if (size !== entry.size) return `it is ${size} bytes, the entry says ${entry.size}`;
    if (hash.digest('hex') !== entry.sha256) return 'its SHA-256 is not the one the entry records';
    return undefined;
  }

  /** Whether the catalog's item is still the entry's current record (no concurrent update or delete). */
  private async stillCurrent(item: CatalogItem): Promise<boolean> {
    const loaded = await readRecordAt(this.host.backend, metadataKey(item.entry.id));
    return loaded !== null && !('reason' in loaded) && loaded.etag === item.etag;
  }

  private async confirmMissing(item: CatalogItem): Promise<void> {
    const { entry } = item;
    if (await this.host.backend.head(storedKeyOf(entry))) return; // written since the listing
    if (!(await this.stillCurrent(item))) return;
    this.problems.push({
      kind: 'missing-content',
      key: storedKeyOf(entry),
      id: entry.id,
      reason: `the content object of entry ${entry.id} is missing; re-ingest the file or restore it from a backup (the entry stays)`,
      repairable: false,
    });
  }

  private async confirmMismatch(item: CatalogItem, problem: string): Promise<void> {
    const { entry } = item;
    if (!(await this.stillCurrent(item))) return;
    this.problems.push({
      kind: 'content-mismatch',
      key: storedKeyOf(entry),
      id: entry.id,
      reason: `the content of entry ${entry.id} is damaged: ${problem}; re-ingest the file or restore it from a backup (the entry stays)`,
      repairable: false,
    });
  }

  /**
   * The catalog item whose content object is at `key`: the entry at that path stored as it came, or
   * the entry whose compressed content carries that key's suffix.
   */
  private ownerOf(key: string): CatalogItem | undefined {
    const id = this.host.idAtPath(key);
    const item = id === undefined ? undefined : this.host.item(id);
    if (item && !item.entry.stored) return item;
    for (const { filePath, codec } of unsuffixed(key)) {
      const owner = this.host.idAtPath(filePath);
      const candidate = owner === undefined ? undefined : this.host.item(owner);
      if (candidate?.entry.stored?.codec === codec) return candidate;
    }
    return undefined;
  }

  /** A content object that no entry of the catalog owns: orphaned, unless a store is putting it there. */
  private async checkUnowned(object: ListedObject): Promise<void> {
    const read = await this.readClaim(claimKey(object.key));
    if (
      read &&
      'claim' in read &&
      read.claim.filePath === object.key &&
      !this.leftOutIds.has(read.claim.id)
    ) {
      const { claim } = read;
      const loaded = await readRecordAt(this.host.backend, metadataKey(claim.id));
      if (loaded === null && !isAbandoned(claim.writer, this.host.leaseMs)) {
        this.inProgress++; // its store has not committed yet
        return;
      }
      if (loaded && !('reason' in loaded) && storedKeyOf(loaded.record.entry) === object.key) {
        if (loaded.record.deleted) return; // a delete in progress (or finished by the records check)
        if (this.host.idAtPath(object.key) === undefined) return; // stored since the refresh
      }
    }
    await this.quarantined('orphaned-content', object, 'no entry owns this content object');
  }

  // --- search index -----------------------------------------------------------------------------

  private async checkIndex(): Promise<void> {
    const { checkIndex, reindex } = this.host;
    if (!checkIndex || !reindex) return;
    this.checked.searchIndex = true;
    const report = await checkIndex();
    if (report.ok) return;
    const parts: string[] = [];
    if (report.uncovered.length > 0)
      parts.push(`${report.uncovered.length} of ${report.entries} entries are not covered`);
    if (report.corruptSegments.length > 0)
      parts.push(`${report.corruptSegments.length} of ${report.segments} segments are corrupt`);
    await this.attempt(
      { kind: 'search-index', key: INDEX_PREFIX, reason: parts.join(', '), repairable: true },
      async () => {
        await reindex();
        return { action: 'reindexed' };
      },
    );
  }

  // --- repairs ----------------------------------------------------------------------------------

  /** Reports a problem whose repair moves `object` to the quarantine. */
  private async quarantined(
    kind: FsckProblemKind,
    object: Pick<ListedObject, 'key' | 'etag'>,
    reason: string,
    id?: string,
  ): Promise<void> {
    await this.attempt(
      { kind, key: object.key, ...(id ? { id } : {}), reason, repairable: true },
      async () => {
        const to = await this.quarantine.move(object.key, object.etag, { kind, reason });
        if (to === undefined) return undefined;
        this.quarantineUsed = true;
        return { action: 'quarantined', to };
      },
    );
  }

  /**
   * Records `problem` and, with `repair`, runs `fix`. A fix that fails with a lake error leaves the
   * problem reported with the error; one that finds the object gone drops the problem.
   */
  private async attempt(
    problem: FsckProblem,
    fix: () => Promise<FsckProblem['repaired'] | undefined>,
  ): Promise<void> {
    if (!this.repair) {
      this.problems.push(problem);
      return;
    }
    try {
      const repaired = await fix();
      if (repaired) this.problems.push({ ...problem, repaired });
    } catch (error) {
      if (!(error instanceof DataLakeError)) throw error;
      const message =
        error instanceof PreconditionFailedError
          ? 'it changed while it was checked; check again'
          : error.message;
      this.problems.push({ ...problem, repairError: message });
    }
  }
}

/** The entry a record is about: its key's id, when the record itself names that id too. */
function entryIdOf(keyId: string, namedId: string | undefined): string | undefined {
  return namedId === keyId ? keyId : undefined;
}

/** Runs `visit` on every object under `prefix`, a page at a time (never the whole listing in memory). */
async function forEachListed(
  backend: StorageBackend,
  prefix: string,
  visit: (object: ListedObject) => Promise<void>,
): Promise<void> {
  let cursor: string | undefined;
  for (let page = 0; page < MAX_LIST_PAGES; page++) {
    const result = await backend.list(prefix, { cursor, limit: LIST_PAGE });
    for (const object of result.objects) await visit(object);
    if (!result.cursor) return;
    if (result.cursor === cursor)
      throw new CorruptDataError(`backend returned the same list cursor twice for "${prefix}"`);
    cursor = result.cursor;
  }
  throw new CorruptDataError(`listing "${prefix}" did not end after ${MAX_LIST_PAGES} pages`);
}
