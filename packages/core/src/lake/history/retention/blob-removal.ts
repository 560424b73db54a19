import type { StorageBackend } from '@datalake/model';
import type { CompressionCodec } from '../../compression/codecs.js';
import { listAll, readRecordAt } from '../../loader.js';
import { idFromMetadataKey, METADATA_PREFIX } from '../../paths.js';
import type { EntryRecord } from '../../record.js';
import { allVersions, readDeletedRecord } from '../entry-versions.js';
import { blobKey, DELETED_PREFIX, idFromDeletedKey } from '../keys.js';
import { markPurging, unmarkPurging } from '../purge-marks.js';
import { historyOf } from '../versions.js';

const READS_AT_ONCE = 32;

/**
 * Removes the blobs a survey found unnamed, safely against writers that start meanwhile: each is
 * marked (see `purge-marks.ts`), then every record and deleted record is read afresh, and only the
 * blobs no record names now go. The marks are removed last. The contents removed.
 */
export async function removeUnnamedBlobs<T extends { sha256: string; codec?: CompressionCodec }>(
  backend: StorageBackend,
  candidates: readonly T[],
): Promise<T[]> {
  if (candidates.length === 0) return [];
  for (const blob of candidates) await markPurging(backend, blob.sha256);
  const removed: T[] = [];
  try {
    const wanted = new Set(candidates.map((blob) => blob.sha256));
    const named = await namedNow(backend, wanted);
    for (const blob of candidates) {
      if (named.has(blob.sha256)) continue;
      await backend.delete(blobKey(blob.sha256, blob.codec));
      removed.push(blob);
    }
  } finally {
    for (const blob of candidates) await unmarkPurging(backend, blob.sha256).catch(() => undefined);
  }
  return removed;
}

/** Which of `wanted` some record (live or deleted) names now, read straight from the backend. */
async function namedNow(backend: StorageBackend, wanted: ReadonlySet<string>): Promise<Set<string>> {
  const named = new Set<string>();
  const note = async (record: EntryRecord) => {
    const { entry } = record;
    if (wanted.has(entry.sha256)) named.add(entry.sha256);
    const versions = await allVersions(backend, entry.id, historyOf(entry, record.history)).catch(
      () => historyOf(entry, record.history).versions,
    );
    for (const version of versions) if (wanted.has(version.sha256)) named.add(version.sha256);
  };
  const live = [...(await listAll(backend, METADATA_PREFIX)).keys()].filter(
    (key) => idFromMetadataKey(key) !== undefined,
  );
  await inParallel(live, async (key) => {
    const loaded = await readRecordAt(backend, key).catch(() => null);
    if (loaded && !('reason' in loaded)) await note(loaded.record);
  });
  const deleted = [...(await listAll(backend, DELETED_PREFIX)).keys()].flatMap((key) => {
    const id = idFromDeletedKey(key);
    return id === undefined ? [] : [id];
  });
  await inParallel(deleted, async (id) => {
    const record = await readDeletedRecord(backend, id).catch(() => null);
    if (record) await note(record);
  });
  return named;
}

async function inParallel<T>(items: readonly T[], work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++] as T);
  };
  await Promise.all(Array.from({ length: Math.min(READS_AT_ONCE, items.length) }, worker));
}
