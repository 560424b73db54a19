import type { Entry, StorageBackend } from '@datalake/model';
import { ConflictError } from '@datalake/model';
import { type ContentPlan, planUpdate, storedKeyOf } from '../compression/stored-content.js';
import { ContentDigest } from '../content.js';
import { pendingOf, type VersionChange, type VersionWriter } from '../history/version-writer.js';
import type { LoadedRecord } from '../loader.js';
import { mergeMetadata } from '../metadata.js';
import type { EntryRecord, PendingUpdate, WriterTag } from '../record.js';
import { RETRY_AFTER_PAUSE, type Retry, retryWrite } from './retry.js';

/** What committing new versions of entries needs of the lake. */
export interface EntryUpdatesHost {
  backend: StorageBackend;
  historyOps: VersionWriter;
  /** Contents up to this size are kept in memory while written, for the search index. */
  captureBytes: number;
  writer(): WriterTag;
  /** The record of a live entry, read afresh (`NotFoundError` when it is gone). */
  loadFresh(id: string): Promise<LoadedRecord>;
  /** Another writer's unfinished update was met: finish it or wait (see `WriteRecovery`). */
  waitForPending(loaded: LoadedRecord): Promise<Retry>;
  casRecord(etag: string, record: EntryRecord): Promise<string | undefined>;
  /** A version was committed: into the catalog, the search index and the change journal. */
  committed(entry: Entry, etag: string, content: Uint8Array | null): Promise<Entry>;
}

/**
 * Updates of an entry: a metadata-only change is one compare-and-swap of its record; a content
 * change marks the record pending (keeping the old content for history), overwrites the content,
 * then commits the record. Lost races are retried by the one retry helper.
 */
export class EntryUpdates {
  constructor(private readonly host: EntryUpdatesHost) {}

  /** Commits a new version of `id`: `patch` merged into (or, with `replace`, replacing) its metadata. */
  writeVersion(id: string, change: VersionChange): Promise<Entry> {
    const { host } = this;
    const { patch, body } = change;
    return retryWrite(id, async () => {
      const current = await host.loadFresh(id);
      if (current.record.pending) return host.waitForPending(current);
      const base = current.record.entry;
      const metadata = change.replace ? patch : mergeMetadata(base.metadata, patch);
      const updatedAt = new Date().toISOString();
      const { history } = current.record;
      if (body === undefined) {
        const entry = Object.freeze({ ...base, metadata, updatedAt });
        const record = await host.historyOps.recordWithVersion(
          current.record,
          entry,
          pendingOf(change, updatedAt),
        );
        const written = await host.casRecord(current.etag, record);
        return written ? host.committed(entry, written, null) : RETRY_AFTER_PAUSE;
      }
      const pending = { writer: host.writer(), metadata, ...pendingOf(change, updatedAt) };
      // The old content's copy and the pending mark are written at once; both precede the overwrite.
      const marked = await host.historyOps.markKeepingContent(current, pending, (etag, record) =>
        host.casRecord(etag, record),
      );
      if (!marked) return RETRY_AFTER_PAUSE;
      return this.writeContentUpdate({ format: 1, entry: base, pending, history }, marked, body);
    });
  }

  private async writeContentUpdate(
    marked: EntryRecord & { pending: PendingUpdate },
    markedEtag: string,
    body: Uint8Array | AsyncIterable<Uint8Array>,
  ): Promise<Entry> {
    const { host } = this;
    const { entry: base, pending, history } = marked;
    const digest = new ContentDigest(host.captureBytes);
    const plan = planUpdate(body, digest, base);
    let contentEtag: string;
    try {
      contentEtag = (await host.backend.put(storedKeyOf(base), plan.body())).etag;
    } catch (error) {
      // The content write is atomic: the old content is still there, so drop the pending mark.
      await host.casRecord(markedEtag, { format: 1, entry: base, history }).catch(() => undefined);
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
    const written = await host.casRecord(
      markedEtag,
      await host.historyOps.recordWithVersion(marked, entry, pending),
    );
    if (!written) {
      throw new ConflictError(
        `the update of ${base.id} took longer than the write lease and was taken over`,
        {
          details: { id: base.id },
        },
      );
    }
    host.historyOps.rememberContent(entry, digest.bytes(), contentEtag);
    return host.committed(entry, written, digest.bytes());
  }
}

/** The `stored` field of an entry whose content `plan` wrote (none when stored as it came). */
export function storedField(plan: ContentPlan): { stored?: Entry['stored'] } {
  const stored = plan.storedForm();
  return stored ? { stored } : {};
}
