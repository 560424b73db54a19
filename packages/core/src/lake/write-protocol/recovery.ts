import type { Entry, StorageBackend } from '@datalake/model';
import { DataLakeError, ReadOnlyError } from '@datalake/model';
import type { Catalog } from '../catalog.js';
import { originalBody, storedKeyOf } from '../compression/stored-content.js';
import { digestBody, sha256Hex } from '../content.js';
import type { RecoveredWrite } from '../fsck.js';
import type { VersionWriter } from '../history/version-writer.js';
import type { LoadedRecord } from '../loader.js';
import { claimKey, metadataKey } from '../paths.js';
import type { EntryRecord, PendingUpdate } from '../record.js';
import { isAbandoned } from '../writer.js';
import { ignoringBackendErrors } from './cleanup.js';
import type { PathClaims } from './path-claims.js';
import { RETRY_AFTER_PAUSE, RETRY_NOW, type Retry } from './retry.js';

/** What finishing other writers' interrupted writes needs of the lake. */
export interface WriteRecoveryHost {
  backend: StorageBackend;
  catalog: Catalog;
  claims: PathClaims;
  historyOps: VersionWriter;
  leaseMs: number;
  notice(message: string): void;
  /** Compare-and-swap of a record (see `casRecord`). */
  casRecord(etag: string, record: EntryRecord): Promise<string | undefined>;
  /** The record of a live entry, read afresh (`NotFoundError` when it is gone). */
  loadFresh(id: string): Promise<LoadedRecord>;
  admit(loaded: LoadedRecord): Promise<Entry | undefined>;
  /** Remembers a write this instance finished for a writer that is gone (for `fsck`). */
  recovered(kind: RecoveredWrite['kind'], id: string): void;
  /** The lake cannot be written: say so once, go on with what is in memory. */
  noteReadOnly(error: ReadOnlyError): void;
  /** An entry of the catalog changed: the snapshot is out of date and other instances are told. */
  noteCommitted(id: string): Promise<void>;
}

/** Finishes the writes of writers that are gone: pending updates and deletes. */
export class WriteRecovery {
  constructor(private readonly host: WriteRecoveryHost) {}

  /**
   * A write met another writer's unfinished update of the entry: finish it when that writer is
   * gone (then try again at once), otherwise wait for it.
   */
  async waitForPending(loaded: LoadedRecord): Promise<Retry> {
    const { pending } = loaded.record;
    if (!pending || !isAbandoned(pending.writer, this.host.leaseMs)) return RETRY_AFTER_PAUSE;
    await this.recoverPending(loaded);
    return RETRY_NOW;
  }

  /**
   * Finishes an update whose writer is gone: if the content was replaced, commit the pending
   * metadata with the new content's hash; otherwise drop the mark. Either way the entry is whole.
   */
  async recoverPending(loaded: LoadedRecord): Promise<Entry> {
    const { host } = this;
    const { record } = loaded;
    const object = await host.backend.get(storedKeyOf(record.entry));
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
        ? await host.historyOps.recordWithVersion(record, entry, record.pending as PendingUpdate)
        : { format: 1 as const, entry, history: record.history };
      written = await host.casRecord(loaded.etag, next);
    } catch (error) {
      if (!(error instanceof ReadOnlyError)) throw error;
      // Seen as it is, but not committed: kept out of the snapshot like any unfinished update.
      host.noteReadOnly(error);
      host.catalog.set(entry, loaded.etag, true);
      return entry;
    }
    if (written) {
      host.notice(`finished an interrupted update of entry ${entry.id}`);
      host.recovered('update', entry.id);
      host.catalog.set(entry, written);
      await host.noteCommitted(entry.id);
      return entry;
    }
    const fresh = await host.loadFresh(entry.id);
    return fresh.record.pending ? fresh.record.entry : ((await host.admit(fresh)) ?? fresh.record.entry);
  }

  /**
   * Removes what a deleted entry leaves: content, path claim, then its (tombstone) record. The
   * content and claim stay when the claim (or, without a claim, the catalog) gives the path to
   * another entry: a record copied onto another entry's path must not take that entry's content along.
   */
  async removeObjects(record: EntryRecord): Promise<void> {
    const { backend, claims } = this.host;
    const { entry } = record;
    await this.host.historyOps.keepDeletedRecord(record);
    let claim: Awaited<ReturnType<PathClaims['claimOf']>>;
    try {
      claim = await claims.claimOf(entry.filePath);
    } catch (error) {
      if (!(error instanceof DataLakeError)) throw error;
      claim = undefined;
    }
    const holder = claim ? claim.id : this.host.catalog.idAtPath(entry.filePath);
    if (holder === undefined || holder === entry.id) {
      await backend.delete(storedKeyOf(entry));
      if (entry.stored) await claims.releaseAliasClaim(storedKeyOf(entry), entry.id);
      if (claim) {
        const etag = claim.etag;
        await ignoringBackendErrors(() => backend.delete(claimKey(entry.filePath), { ifMatch: etag }));
      }
    }
    await backend.delete(metadataKey(entry.id));
  }
}

/** What an entry with an unfinished update is, given the hash and size of its current content. */
export function resolvePendingView(
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

export function digestOf(bytes: Uint8Array): { sha256: string; size: number } {
  return { sha256: sha256Hex(bytes), size: bytes.byteLength };
}
