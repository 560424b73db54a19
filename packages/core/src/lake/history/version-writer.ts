import type { BodyInput, Entry, Metadata, StorageBackend } from '@datalake/model';
import { storedKeyOf } from '../compression/stored-content.js';
import { type EntryRecord, encodeJson, type PendingUpdate } from '../record.js';
import { DEFAULT_PURGE_MARK_STALE_MS, keepContent, keepContentUnchecked } from './blobs.js';
import { deletedKey } from './keys.js';
import { spillIfLong } from './pages.js';
import { waitWhilePurging } from './purge-marks.js';
import { RecentContents } from './recent-contents.js';
import type { ChangeNote, HistoryState, VersionOperation } from './types.js';
import { appended, historyOf, versionFor } from './versions.js';

/** A change `writeVersion` commits as a new version. */
export interface VersionChange {
  /** Merged into the metadata, or with `replace` the whole new metadata. */
  patch: Metadata;
  replace?: boolean;
  body?: BodyInput;
  note: ChangeNote;
  op: VersionOperation;
  restoredFrom?: number;
}

/** What a version records besides the entry itself (also carried by a pending update, for recovery). */
export interface VersionInfo extends ChangeNote {
  updatedAt: string;
  op?: VersionOperation;
  restoredFrom?: number;
}

export function pendingOf(change: VersionChange, updatedAt: string): VersionInfo {
  const info: VersionInfo = { updatedAt, op: change.op, ...change.note };
  if (change.restoredFrom !== undefined) info.restoredFrom = change.restoredFrom;
  return info;
}

/** The history of a new entry: its first version. */
export function firstHistory(entry: Entry, note: ChangeNote): HistoryState {
  return { versions: [versionFor(entry, 'store', entry.createdAt, note, undefined)], pages: [] };
}

/**
 * The history half of every write: the record a write commits (its version appended, long lists
 * spilled), and the copies that must exist before it commits.
 */
export class VersionWriter {
  private readonly recent = new RecentContents();

  constructor(
    private readonly backend: StorageBackend,
    /** Throws the typed error of the hold or rule that forbids deleting the entry of `record`. */
    readonly assertDeletable: (record: EntryRecord) => Promise<void> = async () => {},
  ) {}

  /** `record` moved on to `entry`, the change recorded as its newest version. */
  async recordWithVersion(record: EntryRecord, entry: Entry, info: VersionInfo): Promise<EntryRecord> {
    const previous = historyOf(record.entry, record.history);
    const note: ChangeNote = {};
    if (info.author !== undefined) note.author = info.author;
    if (info.message !== undefined) note.message = info.message;
    const extra = info.restoredFrom === undefined ? {} : { restoredFrom: info.restoredFrom };
    const version = versionFor(entry, info.op ?? 'update', info.updatedAt, note, previous, extra);
    const history = await spillIfLong(this.backend, entry.id, appended(previous, version));
    return { format: 1, entry, history };
  }

  /** `record` with its deletion recorded as the newest version. */
  async recordWithDeletion(record: EntryRecord, note: ChangeNote): Promise<EntryRecord> {
    const previous = historyOf(record.entry, record.history);
    const version = versionFor(record.entry, 'delete', new Date().toISOString(), note, previous, {
      deleted: true,
    });
    const history = await spillIfLong(this.backend, record.entry.id, appended(previous, version));
    return { format: 1, entry: record.entry, history };
  }

  /**
   * Keeps the current content of `current` as a blob, then marks its record with `pending` (by
   * compare-and-swap): the content overwrite that follows needs both. The copy's durability is
   * deferred to the mark's (one flush for both on a journaled backend); it is made first, so the
   * mark's flush covers it whatever the overwrite does. The check for a retention run removing that
   * blob (see `purge-marks.ts`) runs alongside the mark. The new etag, or undefined when another
   * writer changed the record first.
   */
  async markKeepingContent(
    current: { record: EntryRecord; etag: string },
    pending: PendingUpdate,
    cas: (etag: string, record: EntryRecord) => Promise<string | undefined>,
  ): Promise<string | undefined> {
    const { entry, history } = current.record;
    const codec = entry.stored?.codec;
    const known = codec ? undefined : this.recent.get(entry.sha256);
    const kept = await keepContentUnchecked(this.backend, entry.sha256, storedKeyOf(entry), codec, known);
    // The check for a retention run's mark and the mark run at once: both precede the overwrite.
    const [purging, marked] = await Promise.allSettled([
      kept ? waitWhilePurging(this.backend, entry.sha256, DEFAULT_PURGE_MARK_STALE_MS) : false,
      cas(current.etag, { format: 1, entry, pending, history }),
    ]);
    if (marked.status === 'rejected') throw marked.reason;
    try {
      if (purging.status === 'rejected') throw purging.reason;
      // A run had that content marked and may have removed the blob: keep it again.
      if (purging.value) await this.keepCurrentContent(entry);
    } catch (error) {
      // Nothing was overwritten: the mark is dropped again.
      if (marked.value) await cas(marked.value, { format: 1, entry, history }).catch(() => undefined);
      throw error;
    }
    return marked.value;
  }

  /** Keeps the current content of `entry` as a blob, before a write makes it noncurrent. */
  async keepCurrentContent(entry: Entry): Promise<void> {
    // Compressed content is kept as it is stored, under the blob key with the codec's suffix.
    const codec = entry.stored?.codec;
    const known = codec ? undefined : this.recent.get(entry.sha256);
    await keepContent(this.backend, entry.sha256, storedKeyOf(entry), codec, undefined, known);
  }

  /**
   * `entry` was just written with `bytes` (when small enough to be held) as its content, stored as
   * it came, leaving its content object at `etag`: keeping it as a blob when it becomes noncurrent
   * then needs no read of it.
   */
  rememberContent(entry: Entry, bytes: Uint8Array | null, etag?: string): void {
    if (!entry.stored) this.recent.remember(entry.sha256, bytes, etag);
  }

  /**
   * Before a deleted entry's objects go, its record (with the whole version list) is kept under
   * `.versions/deleted/`: repeated by whoever finishes an interrupted delete, so it is never lost.
   */
  async keepDeletedRecord(record: EntryRecord): Promise<void> {
    if (!record.history) return;
    // Kept before the tombstone by the delete itself; again here for a tombstone that was not.
    await this.keepCurrentContent(record.entry);
    const kept: EntryRecord = { format: 1, entry: record.entry, history: record.history };
    await this.backend.put(deletedKey(record.entry.id), encodeJson(kept));
  }
}
