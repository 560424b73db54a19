import { createHash } from 'node:crypto';
import type { ListedObject, StorageBackend } from '@datalake/model';
import { DataLakeError, RETENTION_RULES_PREFIX } from '@datalake/model';
import type { CatalogItem } from '../catalog.js';
import { readRecordAt } from '../loader.js';
import { metadataKey } from '../paths.js';
import type { EntryRecord } from '../record.js';
import { allVersions, readDeletedRecord } from './entry-versions.js';
import {
  BLOBS_PREFIX,
  blobKey,
  DELETED_PREFIX,
  idFromDeletedKey,
  LEGACY_TIMELINE_KEY,
  PAGES_PREFIX,
  RETENTION_PREFIX,
  TIMELINE_KEY,
  VERSIONS_PREFIX,
} from './keys.js';
import { HOLDS_PREFIX, readHolds } from './retention/holds.js';
import { rulesHistory } from './retention/rules.js';
import { historyOf } from './versions.js';

/** The problems of `.versions/` that `fsck` reports (see `FsckProblemKind`). */
export type VersionsProblemKind =
  | 'missing-version-content'
  | 'version-content-mismatch'
  | 'orphaned-blob'
  | 'damaged-history'
  | 'orphaned-page'
  | 'invalid-deleted-record'
  | 'invalid-retention-object'
  | 'stray-object';

/** What the check needs of `fsck`. */
export interface VersionsCheckHost {
  readonly backend: StorageBackend;
  /** Objects younger than this may belong to a write in flight: not judged orphaned. */
  readonly graceMs: number;
  readonly verifyContent: 'hash' | 'size';
  items(): Iterable<CatalogItem>;
  /** A problem nothing can repair (the lake holds no other copy). */
  report(kind: VersionsProblemKind, key: string, reason: string, id?: string): void;
  /** A problem `repair` fixes by moving `object` to the quarantine. */
  quarantined(kind: VersionsProblemKind, object: ListedObject, reason: string, id?: string): Promise<void>;
  /** Bytes of kept content read and hashed. */
  verified(bytes: number): void;
}

/**
 * Checks entry history: every version's content is kept (a blob, or the entry's current content),
 * each blob holds the content its name says, nothing keeps a blob or page no version names, the
 * pages and deleted records read back, and the retention rules and holds are readable.
 */
export async function checkVersions(host: VersionsCheckHost): Promise<void> {
  const { backend } = host;
  const needed = new Map<string, { id: string; version: number }>();
  const named = new Set<string>();
  const pages = new Set<string>();
  // A history that cannot be read may name any blob: no blob is judged orphaned in this run then.
  let unread = false;
  const visit = async (record: EntryRecord, currentSha: string | undefined) => {
    const { id } = record.entry;
    const history = historyOf(record.entry, record.history);
    for (const page of history.pages) pages.add(page.key);
    let versions: Awaited<ReturnType<typeof allVersions>>;
    try {
      versions = await allVersions(backend, id, history);
    } catch (error) {
      if (!(error instanceof DataLakeError)) throw error;
      host.report('damaged-history', metadataKey(id), error.message, id);
      unread = true;
      versions = history.versions;
    }
    for (const version of versions) {
      named.add(version.sha256);
      if (version.sha256 !== currentSha && !needed.has(version.sha256))
        needed.set(version.sha256, { id, version: version.version });
    }
  };

  for (const item of host.items()) {
    if (item.entry.updatedAt === null) {
      named.add(item.entry.sha256);
      continue;
    }
    const loaded = await readRecordAt(backend, metadataKey(item.entry.id));
    if (loaded && !('reason' in loaded) && !loaded.record.deleted)
      await visit(loaded.record, loaded.record.entry.sha256);
  }
  await forEachListed(backend, DELETED_PREFIX, async (object) => {
    const id = idFromDeletedKey(object.key);
    const record = id === undefined ? undefined : await readDeletedRecord(backend, id).catch(() => undefined);
    if (!record) {
      unread = true;
      await host.quarantined(
        'invalid-deleted-record',
        object,
        'it is not the record of a deleted entry (.versions/deleted/<id>.json)',
        id,
      );
      return;
    }
    await visit(record, undefined);
  });

  const cutoff = Date.now() - host.graceMs;
  const kept = new Set<string>();
  await forEachListed(backend, BLOBS_PREFIX, async (object) => {
    const sha256 = object.key.slice(BLOBS_PREFIX.length);
    if (!/^[0-9a-f]{64}$/.test(sha256)) {
      await host.quarantined('orphaned-blob', object, 'it is not named after a SHA-256');
      return;
    }
    if (!named.has(sha256)) {
      if (!unread && object.lastModified.getTime() <= cutoff)
        await host.quarantined('orphaned-blob', object, 'no version names this content');
      return;
    }
    kept.add(sha256);
    const problem = await blobProblem(host, object, sha256);
    if (problem) {
      const owner = needed.get(sha256);
      host.report(
        'version-content-mismatch',
        object.key,
        `the kept content ${sha256} is damaged: ${problem}`,
        owner?.id,
      );
    }
  });
  for (const [sha256, owner] of needed) {
    if (kept.has(sha256)) continue;
    if (await backend.head(blobKey(sha256))) continue; // kept since the listing
    host.report(
      'missing-version-content',
      blobKey(sha256),
      `the content of version ${owner.version} of entry ${owner.id} is missing`,
      owner.id,
    );
  }
  await forEachListed(backend, PAGES_PREFIX, async (object) => {
    if (!pages.has(object.key) && object.lastModified.getTime() <= cutoff)
      await host.quarantined('orphaned-page', object, 'no history names this page of versions');
  });
  await checkRetention(host);
  await checkTopLevel(host);
}

async function blobProblem(
  host: VersionsCheckHost,
  object: ListedObject,
  sha256: string,
): Promise<string | undefined> {
  if (host.verifyContent === 'size') return undefined;
  const read = await host.backend.get(object.key);
  if (!read) return undefined; // removed since the listing (a retention run)
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of read.body) {
    hash.update(chunk);
    size += chunk.byteLength;
  }
  host.verified(size);
  return hash.digest('hex') === sha256 ? undefined : 'its bytes do not hash to its name';
}

/**
 * Directly under `.versions/` lies only the timeline file (and the one an earlier release kept as
 * JSON, removed at the next save): anything else is no part of the history.
 */
async function checkTopLevel(host: VersionsCheckHost): Promise<void> {
  let cursor: string | undefined;
  do {
    const page = await host.backend.list(VERSIONS_PREFIX, { cursor, limit: 1000, delimiter: '/' });
    for (const object of page.objects) {
      if (object.key === TIMELINE_KEY || object.key === LEGACY_TIMELINE_KEY) continue;
      await host.quarantined(
        'stray-object',
        object,
        'it is no part of entry history (.versions/ holds folders and the timeline file only)',
      );
    }
    cursor = page.cursor;
  } while (cursor);
}

/** Rules and holds must read back: damaged ones refuse deletes and purges until they are fixed by hand. */
async function checkRetention(host: VersionsCheckHost): Promise<void> {
  const { backend } = host;
  try {
    await rulesHistory(backend);
  } catch (error) {
    if (!(error instanceof DataLakeError)) throw error;
    host.report('invalid-retention-object', RETENTION_RULES_PREFIX, error.message);
  }
  await forEachListed(backend, RETENTION_PREFIX, async (object) => {
    if (object.key.startsWith(RETENTION_RULES_PREFIX)) return;
    const id = object.key.startsWith(HOLDS_PREFIX)
      ? object.key.slice(HOLDS_PREFIX.length, -'.json'.length)
      : undefined;
    if (id === undefined || !object.key.endsWith('.json')) {
      host.report('invalid-retention-object', object.key, 'it is neither a rules version nor holds');
      return;
    }
    try {
      await readHolds(backend, id);
    } catch (error) {
      if (!(error instanceof DataLakeError)) throw error;
      host.report('invalid-retention-object', object.key, error.message, id);
    }
  });
}

async function forEachListed(
  backend: StorageBackend,
  prefix: string,
  visit: (object: ListedObject) => Promise<void>,
): Promise<void> {
  let cursor: string | undefined;
  do {
    const page = await backend.list(prefix, { cursor, limit: 1000 });
    for (const object of page.objects) await visit(object);
    cursor = page.cursor;
  } while (cursor);
}
