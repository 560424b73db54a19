import type { StorageBackend } from '@datalake/model';
import { type InvalidRecord, type LoadedRecord, readRecordAt } from './loader.js';
import { isPlausibleId, metadataKey } from './paths.js';

const FETCH_CONCURRENCY = 32;

/** The current records of the entries `ids` (from the change journal): `null` where there is none. */
export async function readChangedRecords(
  backend: StorageBackend,
  ids: readonly string[],
): Promise<Map<string, LoadedRecord | InvalidRecord | null>> {
  const found = new Map<string, LoadedRecord | InvalidRecord | null>();
  const todo = ids.filter(isPlausibleId);
  let next = 0;
  const worker = async () => {
    while (next < todo.length) {
      const id = todo[next++] as string;
      const loaded = await readRecordAt(backend, metadataKey(id));
      if (loaded && 'reason' in loaded) {
        const { error: _error, ...invalid } = loaded;
        found.set(id, invalid);
      } else found.set(id, loaded);
    }
  };
  await Promise.all(Array.from({ length: Math.min(FETCH_CONCURRENCY, todo.length) }, worker));
  return found;
}
