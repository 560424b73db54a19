import type { Entry, StorageBackend } from '@datalake/model';
import { CorruptDataError, collectBody, concatBytes } from '@datalake/model';
import { MAX_LIST_LIMIT } from '../backend/list-page.js';
import type { CatalogItem } from './catalog.js';
import { freezeJson } from './metadata.js';
import { idFromMetadataKey, isPlausibleId, METADATA_PREFIX, metadataKey, SNAPSHOT_KEY } from './paths.js';
import {
  decodeEntryRecord,
  type EntryRecord,
  encodeJson,
  entryRecordValueProblem,
  MAX_RECORD_BYTES,
} from './record.js';

/** Bounds the pages read while listing, so a backend that ignores the cursor cannot loop forever. */
const MAX_LIST_PAGES = 1_000_000;
const FETCH_CONCURRENCY = 32;

export interface LoadedRecord {
  record: EntryRecord;
  etag: string;
}

/** A `.metadata/` object that is not a valid record: left out of the catalog, reported, never acted on. */
export interface InvalidRecord {
  key: string;
  etag: string;
  reason: string;
  /** The entry id the record names, when it names one at all (it may not be its key's). */
  namedId?: string;
}

export interface ReconcileResult {
  /** Every current, valid record by id. */
  records: Map<string, LoadedRecord>;
  fetched: number;
  /** The records that are not valid, by key. */
  invalid: Map<string, InvalidRecord>;
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

/** Reads and validates the record of `id`: `null` if there is none, `CorruptDataError` if it is invalid. */
export async function readRecord(backend: StorageBackend, id: string): Promise<LoadedRecord | null> {
  const loaded = await readRecordAt(backend, metadataKey(id));
  if (loaded && 'reason' in loaded) throw loaded.error;
  return loaded;
}

/** `readRecord` by key, with an invalid record returned (not thrown) along with its etag. */
export async function readRecordAt(
  backend: StorageBackend,
  key: string,
): Promise<LoadedRecord | (InvalidRecord & { error: CorruptDataError }) | null> {
  const object = await backend.get(key);
  if (!object) return null;
  let bytes: Uint8Array | undefined;
  try {
    bytes = await collectRecordBytes(object.body, key);
    const record = decodeEntryRecord(bytes, key);
    freezeJson(record as never);
    return { record, etag: object.etag };
  } catch (error) {
    if (!(error instanceof CorruptDataError)) throw error;
    const namedId = bytes && idNamedBy(bytes);
    return {
      key,
      etag: object.etag,
      reason: String(error.details.reason ?? error.message),
      ...(namedId ? { namedId } : {}),
      error,
    };
  }
}

/** The `entry.id` of what looks like a record, if it has a plausible one. */
function idNamedBy(bytes: Uint8Array): string | undefined {
  try {
    const id = (JSON.parse(Buffer.from(bytes).toString('utf8')) as { entry?: { id?: unknown } } | null)?.entry
      ?.id;
    return isPlausibleId(id) ? id : undefined;
  } catch {
    return undefined;
  }
}

/** Reads a record's bytes, stopping (and closing the body) as soon as it is larger than any record. */
async function collectRecordBytes(body: AsyncIterable<Uint8Array>, key: string): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of body) {
    total += chunk.byteLength;
    if (total > MAX_RECORD_BYTES) {
      throw new CorruptDataError(`${key} is not a valid entry record: it is larger than any record`, {
        details: { key, reason: `it is more than ${MAX_RECORD_BYTES} bytes, larger than any record` },
      });
    }
    chunks.push(chunk);
  }
  return concatBytes(chunks);
}

/**
 * Brings a view of the lake up to date with the `.metadata/` objects: what `known` already holds at
 * the same etag is reused, and so is what `knownInvalid` already found invalid; everything else is
 * fetched and validated. Costs one listing plus one read per change.
 */
export async function reconcile(
  backend: StorageBackend,
  known: (id: string) => { record: EntryRecord; etag: string } | undefined,
  listing: Promise<Map<string, string>> = listRecords(backend),
  knownInvalid: (key: string) => InvalidRecord | undefined = () => undefined,
): Promise<ReconcileResult> {
  const listed = await listing;
  const records = new Map<string, LoadedRecord>();
  const invalid = new Map<string, InvalidRecord>();
  const toFetch: string[] = [];
  for (const [key, etag] of listed) {
    const id = idFromMetadataKey(key);
    if (id === undefined) continue;
    const cached = known(id);
    const bad = cached ? undefined : knownInvalid(key);
    if (cached && cached.etag === etag) records.set(id, cached);
    else if (bad && bad.etag === etag) invalid.set(key, bad);
    else toFetch.push(key);
  }
  let next = 0;
  const worker = async () => {
    while (next < toFetch.length) {
      const key = toFetch[next++] as string;
      const loaded = await readRecordAt(backend, key);
      if (!loaded) continue;
      if ('reason' in loaded) {
        const { error: _error, ...bad } = loaded;
        invalid.set(key, bad);
      } else records.set(loaded.record.entry.id, loaded);
    }
  };
  await Promise.all(Array.from({ length: Math.min(FETCH_CONCURRENCY, toFetch.length) }, worker));
  return { records, fetched: toFetch.length, invalid };
}

interface SnapshotFile {
  format: 1;
  items: Array<[etag: string, record: EntryRecord]>;
}

/**
 * Reads the catalog snapshot, a cache that saves reading every metadata object on open. Its records
 * are validated like those read from `.metadata/`: one that is not valid is left out, so its record is
 * read (and judged) again. Any other problem: empty.
 */
export async function readSnapshot(backend: StorageBackend): Promise<Map<string, LoadedRecord>> {
  const byId = new Map<string, LoadedRecord>();
  try {
    const object = await backend.get(SNAPSHOT_KEY);
    if (!object) return byId;
    const parsed = JSON.parse(Buffer.from(await collectBody(object.body)).toString('utf8')) as SnapshotFile;
    if (parsed.format !== 1 || !Array.isArray(parsed.items)) return byId;
    for (const item of parsed.items) {
      if (!Array.isArray(item) || typeof item[0] !== 'string') continue;
      const [etag, record] = item;
      const id = (record as Partial<EntryRecord> | null)?.entry?.id;
      if (typeof id !== 'string' || entryRecordValueProblem(record, metadataKey(id)) !== undefined) continue;
      byId.set(id, { etag, record: freezeJson(record as never) });
    }
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
