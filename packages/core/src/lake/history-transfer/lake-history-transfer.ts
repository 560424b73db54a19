import type { ContentInput, Entry, StorageBackend } from '@datalake/model';
import {
  ConflictError,
  CorruptDataError,
  NotFoundError,
  PreconditionFailedError,
  PutMode,
  sameJson,
  ValidationError,
} from '@datalake/model';
import { storedKeyOf } from '../compression/stored-content.js';
import { ContentDigest, contentChunks } from '../content.js';
import { hasBlob, keepContent, openBlob, verified } from '../history/blobs.js';
import { allVersions, readDeletedRecord, type VersionedRecord } from '../history/entry-versions.js';
import { blobKey, DELETED_PREFIX, deletedKey, idFromDeletedKey } from '../history/keys.js';
import { HOLDS_PREFIX, readAllHolds } from '../history/retention/holds.js';
import type { LakeRetention } from '../history/retention/lake-retention.js';
import type { EntryHolds, RetentionRule } from '../history/retention/types.js';
import type { EntryVersion } from '../history/types.js';
import { listAll } from '../loader.js';
import { isPlausibleId, metadataKey } from '../paths.js';
import { type EntryRecord, encodeJson, type WriterTag } from '../record.js';
import { pagedHistory } from './paged-history.js';
import type {
  EntryWithHistory,
  ImportedEntry,
  ImportOptions,
  ImportOutcome,
  RetentionExport,
} from './types.js';
import { checkedImport, isPrefix, keptContents, sameVersions } from './validate.js';

/** What importing needs of the lake it writes into (the parts of its write protocol it reuses). */
export interface HistoryTransferHost {
  readonly backend: StorageBackend;
  readonly retention: LakeRetention;
  /** Contents up to this size are kept in memory while written, for the search index. */
  readonly captureBytes: number;
  /** The entry's record, live or deleted, with its history; `NotFoundError` when there is none. */
  load(id: string): Promise<VersionedRecord>;
  /** Ids of the live entries. */
  liveIds(): Iterable<string>;
  /** The current content of live entry `id`, checked against its SHA-256, with the entry it is of. */
  readCurrent(id: string): Promise<{ entry: Entry; bytes: Uint8Array }>;
  nestingConflict(filePath: string): string | undefined;
  /** Claims `filePath` for entry `id` and writes `body` there (through `digest`); the claim's etag. */
  claimAndWriteContent(
    filePath: string,
    id: string,
    body: Uint8Array | AsyncIterable<Uint8Array>,
    digest: ContentDigest,
  ): Promise<string>;
  releaseClaim(filePath: string, etag: string): Promise<void>;
  casRecord(etag: string, record: EntryRecord): Promise<string | undefined>;
  writer(): WriterTag;
  /** A record was committed: the catalog, search index and change journal learn of it. */
  committed(entry: Entry, etag: string, content: Uint8Array | null): Promise<void>;
  delete(id: string): Promise<boolean>;
}

/**
 * Moving entries with their whole history between lakes (backup, restore, copy): `lake.transfer`
 * of a `DataLake`. Reads give each entry with every version; `importContent` and `importEntry`
 * write them into another lake with their ids, timestamps and version chains, through the same
 * crash-safe protocol as every write: a record is committed last, after every content its versions
 * name, so a crash leaves the old state or the new one, never a version naming missing content.
 */
export class LakeHistoryTransfer {
  constructor(private readonly host: HistoryTransferHost) {}

  /** The entry (live or deleted) with every version; `NotFoundError` when the lake has no such entry. */
  async entryWithHistory(id: string): Promise<EntryWithHistory> {
    const state = await this.host.load(id);
    const versions = await allVersions(this.host.backend, id, state.history);
    return { entry: state.record.entry, versions, deleted: state.deleted };
  }

  /**
   * The current content of live entry `id` and the entry it is the content of: checked against
   * that entry's SHA-256 (an entry changed since this lake last read it is read again, so the two
   * always agree). `NotFoundError` when the entry is gone.
   */
  readCurrent(id: string): Promise<{ entry: Entry; bytes: Uint8Array }> {
    return this.host.readCurrent(id);
  }

  /** Every deleted entry (not purged by retention) with its history, in no particular order. */
  async *deletedEntries(): AsyncIterable<EntryWithHistory> {
    const live = new Set(this.host.liveIds());
    const keys = [...(await listAll(this.host.backend, DELETED_PREFIX)).keys()];
    const ids = keys.map(idFromDeletedKey).filter((id): id is string => id !== undefined && !live.has(id));
    for (const id of ids) {
      const record = await readDeletedRecord(this.host.backend, id);
      if (!record?.history) continue;
      // An entry undeleted meanwhile has a live record again: it is listed with the live ones.
      const state = await this.host.load(id).catch(() => undefined);
      if (!state?.deleted) continue;
      yield {
        entry: state.record.entry,
        versions: await allVersions(this.host.backend, id, state.history),
        deleted: true,
      };
    }
  }

  /**
   * The ids of the lake's deleted entries (one listing): with `list`, what tells a caller that an
   * entry is `absent` from the lake (see `importEntry`).
   */
  async deletedIds(): Promise<Set<string>> {
    const keys = [...(await listAll(this.host.backend, DELETED_PREFIX)).keys()];
    return new Set(keys.map(idFromDeletedKey).filter((id): id is string => id !== undefined));
  }

  /** Whether the lake keeps content `sha256` for its history (`.versions/blobs/`). */
  hasContent(sha256: string): Promise<boolean> {
    return hasBlob(this.host.backend, assertSha256(sha256));
  }

  /**
   * The kept content `sha256` (kept as it came or compressed) as a stream of its original bytes,
   * checked against its SHA-256 as it ends; decompression stops past `size` bytes when given.
   */
  async readContent(sha256: string, size = Number.MAX_SAFE_INTEGER): Promise<AsyncIterable<Uint8Array>> {
    const blob = await openBlob(this.host.backend, assertSha256(sha256), size);
    if (!blob)
      throw new NotFoundError(`the lake keeps no content ${sha256}`, {
        details: { sha256, key: blobKey(sha256) },
      });
    return blob.body;
  }

  /**
   * Keeps `content` (which must hash to `sha256`) for the history of entries imported next. `false`
   * when the lake keeps it already. Content that does not match is refused (`CorruptDataError`)
   * and nothing of it stays.
   */
  async importContent(sha256: string, content: ContentInput): Promise<boolean> {
    const key = blobKey(assertSha256(sha256));
    if (await hasBlob(this.host.backend, sha256)) return false;
    const body = contentChunks(content);
    const chunks = body instanceof Uint8Array ? [body] : body;
    try {
      await this.host.backend.put(key, verified(toAsync(chunks), sha256, key), { mode: PutMode.create });
      return true;
    } catch (error) {
      if (error instanceof PreconditionFailedError) return false;
      if (error instanceof CorruptDataError) throw error;
      // A backend may wrap the stream's own error: say what it was.
      if ((error as { cause?: unknown }).cause instanceof CorruptDataError)
        throw (error as { cause: CorruptDataError }).cause;
      throw error;
    }
  }

  /**
   * Writes an entry with its id, timestamps and every version, as the lake it comes from has it.
   * The contents of all versions but a live entry's current one must be kept first
   * (`importContent`). When the lake holds the entry already, an earlier state of the same history
   * is brought forward (`advanced`), the same one is left (`unchanged`), and another history is a
   * `ConflictError`. Everything given is checked (`ValidationError`); nothing is written then.
   * `options.absent` spares the read of the lake's record for an entry the caller knows it lacks.
   */
  async importEntry(input: ImportedEntry, options: ImportOptions = {}): Promise<ImportOutcome> {
    const imported = checkedImport(input);
    const { entry, versions, deleted } = imported;
    if (
      options.absent &&
      !deleted &&
      input.content instanceof Uint8Array &&
      (await this.missingContent(imported)) === undefined
    ) {
      // The caller saw no such entry: one round trip less per entry of a bulk import.
      try {
        await this.createLive(imported, input.content);
        return 'created';
      } catch (error) {
        // Written meanwhile, or its path taken: what the lake holds now decides, as without the hint.
        if (!(error instanceof ConflictError)) throw error;
      }
    }
    const existing = await this.host.load(entry.id).catch((error: unknown) => {
      if (error instanceof NotFoundError) return undefined;
      throw error;
    });
    let existingVersions: EntryVersion[] | undefined;
    if (existing) {
      existingVersions = await allVersions(this.host.backend, entry.id, existing.history);
      const before = existing.record.entry;
      if (before.filePath !== entry.filePath || before.createdAt !== entry.createdAt)
        throw conflict(entry, 'is another entry in this lake (path or creation time differ)');
      if (sameVersions(existingVersions, versions) && existing.deleted === deleted) return 'unchanged';
      if (!isPrefix(existingVersions, versions))
        throw conflict(entry, 'has another history in this lake (the given one does not continue it)');
      if (!existing.deleted && existing.record.pending)
        throw conflict(entry, 'is being updated in this lake; try again');
      // The current content becomes noncurrent: it is kept first, like any update keeps it.
      if (!existing.deleted && keptContents(imported).has(before.sha256))
        await keepContent(this.host.backend, before.sha256, storedKeyOf(before), before.stored?.codec);
    }
    await this.assertContentsKept(imported);
    if (deleted) {
      if (existing && !existing.deleted) await this.host.delete(entry.id);
      await this.writeDeletedRecord(imported, existing !== undefined);
      return existing ? 'advanced' : 'created';
    }
    if (existing && !existing.deleted) {
      await this.advanceLive(imported, existing, input.content);
      return 'advanced';
    }
    await this.createLive(imported, input.content);
    // Undeleted since: the deleted record goes once the live one is committed (as `undelete` does).
    if (existing?.deleted) await this.host.backend.delete(deletedKey(entry.id)).catch(() => undefined);
    return existing ? 'advanced' : 'created';
  }

  /** The retention rules in force and every entry's holds. */
  async exportRetention(): Promise<RetentionExport> {
    const [rules, holds] = await Promise.all([this.host.retention.rules(), readAllHolds(this.host.backend)]);
    return { rules: rules.rules, holds: [...holds.values()] };
  }

  /**
   * Sets the rules (as a new version, unless the lake has these already) and the holds of entries
   * that have none in this lake (holds a lake has are never weakened). Returns the holds written.
   */
  async importRetention(input: RetentionExport): Promise<number> {
    if (!input || !Array.isArray(input.rules) || !Array.isArray(input.holds))
      throw new ValidationError('retention must have rules and holds lists');
    const holds = input.holds.map(checkedHolds);
    const current = await this.host.retention.rules();
    if (!sameJson(current.rules as never, input.rules as never))
      await this.host.retention.setRules(input.rules, { message: 'imported with the lake' });
    let written = 0;
    for (const hold of holds) {
      try {
        await this.host.backend.put(`${HOLDS_PREFIX}${hold.id}.json`, encodeJson(hold), {
          mode: PutMode.create,
        });
        written++;
      } catch (error) {
        if (!(error instanceof PreconditionFailedError)) throw error;
      }
    }
    return written;
  }

  /** A content the versions of `imported` name (but a live entry's current one) that the lake does not keep. */
  private async missingContent(imported: EntryWithHistory): Promise<string | undefined> {
    for (const sha256 of keptContents(imported))
      if (!(await hasBlob(this.host.backend, sha256))) return sha256;
    return undefined;
  }

  private async assertContentsKept(imported: EntryWithHistory): Promise<void> {
    const sha256 = await this.missingContent(imported);
    if (sha256 !== undefined) {
      throw new ValidationError(
        `cannot import entry ${imported.entry.id}: a version names content ${sha256}, which the lake does not keep (importContent it first)`,
        { details: { id: imported.entry.id, sha256, problem: 'missing-content' } },
      );
    }
  }

  /** A deleted entry's record, with its whole history (replacing an earlier one of the same entry). */
  private async writeDeletedRecord(imported: EntryWithHistory, replace: boolean): Promise<void> {
    const { entry, versions } = imported;
    const history = await pagedHistory(this.host.backend, entry.id, versions);
    const record: EntryRecord = { format: 1, entry, history };
    const key = deletedKey(entry.id);
    if (!replace) {
      try {
        await this.host.backend.put(key, encodeJson(record), { mode: PutMode.create });
        return;
      } catch (error) {
        if (!(error instanceof PreconditionFailedError)) throw error;
        throw conflict(entry, 'was deleted in this lake at the same time');
      }
    }
    await this.host.backend.put(key, encodeJson(record));
  }

  /** A new live entry: path claimed, content written and checked, then its record created (the commit). */
  private async createLive(imported: EntryWithHistory, content: ContentInput | undefined): Promise<void> {
    const { entry, versions } = imported;
    const nesting = this.host.nestingConflict(entry.filePath);
    if (nesting)
      throw new ConflictError(`cannot import at "${entry.filePath}": ${nesting}`, {
        details: { filePath: entry.filePath },
      });
    const body = contentOf(entry, content);
    const digest = new ContentDigest(this.host.captureBytes);
    const claimEtag = await this.host.claimAndWriteContent(entry.filePath, entry.id, body, digest);
    let etag: string;
    try {
      assertContent(entry, digest);
      const history = await pagedHistory(this.host.backend, entry.id, versions);
      const record: EntryRecord = { format: 1, entry, history };
      etag = (
        await this.host.backend.put(metadataKey(entry.id), encodeJson(record), { mode: PutMode.create })
      ).etag;
    } catch (error) {
      // The claim is ours, so whatever is at the path is the content written here.
      await this.host.backend.delete(entry.filePath).catch(() => undefined);
      await this.host.releaseClaim(entry.filePath, claimEtag);
      if (error instanceof PreconditionFailedError)
        throw conflict(entry, 'was written into this lake at the same time');
      throw error;
    }
    await this.host.committed(entry, etag, digest.bytes());
  }

  /**
   * A live entry brought forward to later versions of its history. New content goes through the
   * update protocol: the record is marked pending, the content written, then the record swapped.
   */
  private async advanceLive(
    imported: EntryWithHistory,
    existing: VersionedRecord,
    content: ContentInput | undefined,
  ): Promise<void> {
    const { entry, versions } = imported;
    const base = existing.record.entry;
    const etag = existing.etag as string;
    if (base.sha256 === entry.sha256) {
      const history = await pagedHistory(this.host.backend, entry.id, versions);
      const written = await this.host.casRecord(etag, { format: 1, entry, history });
      if (!written) throw conflict(entry, 'changed in this lake while it was imported');
      await this.host.committed(entry, written, null);
      return;
    }
    const body = contentOf(entry, content);
    const latest = versions[versions.length - 1] as EntryVersion;
    const pending = {
      writer: this.host.writer(),
      metadata: entry.metadata,
      updatedAt: entry.updatedAt ?? entry.createdAt,
      op: latest.op,
    };
    const unmarked: EntryRecord = { format: 1, entry: base, history: existing.record.history };
    const marked = await this.host.casRecord(etag, { ...unmarked, pending });
    if (!marked) throw conflict(entry, 'changed in this lake while it was imported');
    const digest = new ContentDigest(this.host.captureBytes);
    const undo = async () => {
      await this.host.casRecord(marked, unmarked).catch(() => undefined);
    };
    try {
      await this.host.backend.put(entry.filePath, feed(body, digest));
    } catch (error) {
      await undo(); // the content write is atomic: the old content is still there
      throw error;
    }
    try {
      assertContent(entry, digest);
    } catch (error) {
      // Put the old content back (it is kept, checked above) before dropping the mark.
      const kept = await this.readContent(base.sha256);
      await this.host.backend.put(base.filePath, kept);
      await undo();
      throw error;
    }
    const history = await pagedHistory(this.host.backend, entry.id, versions);
    const written = await this.host.casRecord(marked, { format: 1, entry, history });
    if (!written) throw conflict(entry, 'took longer than the write lease and was taken over');
    await this.host.committed(entry, written, digest.bytes());
  }
}

function contentOf(entry: Entry, content: ContentInput | undefined): Uint8Array | AsyncIterable<Uint8Array> {
  if (content === undefined || content === null)
    throw new ValidationError(
      `cannot import entry ${entry.id}: the content of its current version is needed`,
      {
        details: { id: entry.id },
      },
    );
  return contentChunks(content);
}

function assertContent(entry: Entry, digest: ContentDigest): void {
  const sha256 = digest.sha256();
  if (sha256 !== entry.sha256 || digest.size !== entry.size)
    throw new CorruptDataError(
      `cannot import entry ${entry.id}: its content is ${digest.size} bytes of SHA-256 ${sha256}, not what the entry says`,
      { details: { id: entry.id, sha256: entry.sha256, problem: 'hash-mismatch' } },
    );
}

async function* feed(
  body: Uint8Array | AsyncIterable<Uint8Array>,
  digest: ContentDigest,
): AsyncIterable<Uint8Array> {
  for await (const chunk of body instanceof Uint8Array ? [body] : body) {
    digest.observe(chunk, false);
    yield chunk;
  }
}

async function* toAsync(chunks: Iterable<Uint8Array> | AsyncIterable<Uint8Array>): AsyncIterable<Uint8Array> {
  yield* chunks;
}

function conflict(entry: Entry, why: string): ConflictError {
  return new ConflictError(`entry ${entry.id} at "${entry.filePath}" ${why}`, {
    details: { id: entry.id, filePath: entry.filePath },
  });
}

function assertSha256(sha256: unknown): string {
  if (typeof sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(sha256))
    throw new ValidationError('a content SHA-256 must be 64 lower-case hex digits', {
      details: { sha256: String(sha256) },
    });
  return sha256;
}

function checkedHolds(value: unknown): EntryHolds {
  const bad = (why: string) => new ValidationError(`cannot import holds: ${why}`);
  if (!value || typeof value !== 'object') throw bad('holds must be objects');
  const holds = value as EntryHolds;
  if (!isPlausibleId(holds.id)) throw bad('an id is not an entry id');
  if (!Array.isArray(holds.overrides)) throw bad(`the holds of ${holds.id} have no overrides list`);
  const time = (text: unknown) => typeof text === 'string' && !Number.isNaN(Date.parse(text));
  if (
    holds.legalHold !== undefined &&
    (typeof holds.legalHold?.reason !== 'string' || !time(holds.legalHold.since))
  )
    throw bad(`the legal hold of ${holds.id} is not valid`);
  const retain = holds.retainUntil;
  if (
    retain !== undefined &&
    (!time(retain?.until) ||
      !time(retain.since) ||
      (retain.mode !== 'governance' && retain.mode !== 'compliance'))
  )
    throw bad(`the retain-until of ${holds.id} is not valid`);
  const out: EntryHolds = { id: holds.id, overrides: holds.overrides };
  if (holds.legalHold) out.legalHold = holds.legalHold;
  if (holds.retainUntil) out.retainUntil = holds.retainUntil;
  return out;
}

export type { RetentionRule };
