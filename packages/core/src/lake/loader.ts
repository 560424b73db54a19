import { collectBody } from '../backend/body.js';
import { MAX_LIST_LIMIT } from '../backend/list-page.js';
import type { StorageBackend } from '../backend/types.js';
import type { Entry } from '../model/entry.js';
import { CorruptDataError } from '../model/errors.js';
import type { CatalogItem } from './catalog.js';
import { freezeJson } from './metadata.js';
import { idFromMetadataKey, METADATA_PREFIX, metadataKey, SNAPSHOT_KEY } from './paths.js';
import { decodeEntryRecord, type EntryRecord, encodeJson } from './record.js';

/** Bounds the pages read while listing, so a backend that ignores the cursor cannot loop forever. */
const MAX_LIST_PAGES = 1_000_000;
const FETCH_CONCURRENCY = 32;

export interface LoadedRecord {
  record: EntryRecord;
  etag: string;
}

export interface ReconcileResult {
  /** Every current record by id. */
  records: Map<string, LoadedRecord>;
  fetched: number;
  unreadable: Array<{ key: string; error: unknown }>;
}

/** Lists every key under `prefix` with its etag, following cursors. */
export async function listAll(backend: StorageBackend, prefix: string): Promise<Map<string, string>> {
  const keys = new Map<string, string>();
  let cursor: string | undefined;
  for (let page = 0; page < MAX_LIST_PAGES; page++) {
    const result = await backend.list(prefix, { cursor, limit: MAX_LIST_LIMIT });
    for (const object of result.objects) keys.set(object.key, object.etag);
    if (!result.cursor) return keys;
    if (result.cursor === cursor)
      throw new CorruptDataError(`backend returned the same list cursor twice for "${prefix}"`);
    cursor = result.cursor;
  }
  throw new CorruptDataError(`listing "${prefix}" did not end after ${MAX_LIST_PAGES} pages`);
}

/** Every `.metadata/` key with its etag. */
export function listRecords(backend: StorageBackend): Promise<Map<string, string>> {
  return listAll(backend, METADATA_PREFIX);
}

export async function readRecord(backend: StorageBackend, id: string): Promise<LoadedRecord | null> {
  const key = metadataKey(id);
  const object = await backend.get(key);
  if (!object) return null;
  const record = decodeEntryRecord(await collectBody(object.body), key);
  freezeJson(record as never);
  return { record, etag: object.etag };
}

/**
 * Brings a view of the lake up to date with the `.metadata/` objects: what `known` already holds at
 * the same etag is reused; everything else is fetched. Costs one listing plus one read per change.
 */
export async function reconcile(
  backend: StorageBackend,
  known: (id: string) => { record: EntryRecord; etag: string } | undefined,
  listing: Promise<Map<string, string>> = listRecords(backend),
): Promise<ReconcileResult> {
  const listed = await listing;
  const records = new Map<string, LoadedRecord>();
  const toFetch: string[] = [];
  for (const [key, etag] of listed) {
    const id = idFromMetadataKey(key);
    if (id === undefined) continue;
    const cached = known(id);
    if (cached && cached.etag === etag) records.set(id, cached);
    else toFetch.push(id);
  }
  const unreadable: ReconcileResult['unreadable'] = [];
  let next = 0;
  const worker = async () => {
    while (next < toFetch.length) {
      const id = toFetch[next++] as string;
      try {
        const loaded = await readRecord(backend, id);
        if (loaded) records.set(id, loaded);
      } catch (error) {
        if (!(error instanceof CorruptDataError)) throw error;
        unreadable.push({ key: metadataKey(id), error });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(FETCH_CONCURRENCY, toFetch.length) }, worker));
  return { records, fetched: toFetch.length, unreadable };
}

interface SnapshotFile {
  format: 1;
  items: Array<[etag: string, record: EntryRecord]>;
}

/** Reads the catalog snapshot, a cache that saves reading every metadata object on open. Any problem: empty. */
export async function readSnapshot(backend: StorageBackend): Promise<Map<string, LoadedRecord>> {
  const byId = new Map<string, LoadedRecord>();
  try {
    const object = await backend.get(SNAPSHOT_KEY);
    if (!object) return byId;
    const parsed = JSON.parse(Buffer.from(await collectBody(object.body)).toString('utf8')) as SnapshotFile;
    if (parsed.format !== 1 || !Array.isArray(parsed.items)) return byId;
    for (const [etag, record] of parsed.items)
      byId.set(record.entry.id, { etag, record: freezeJson(record as never) });
  } catch {
    byId.clear();
  }
  return byId;
}

export async function writeSnapshot(backend: StorageBackend, items: Iterable<CatalogItem>): Promise<void> {
  const snapshot: SnapshotFile = { format: 1, items: [] };
  for (const item of items)
    if (!item.pending) snapshot.items.push([item.etag, { format: 1, entry: item.entry as Entry }]);
  await backend.put(SNAPSHOT_KEY, encodeJson(snapshot));
}
