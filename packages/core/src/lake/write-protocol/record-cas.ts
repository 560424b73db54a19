import type { StorageBackend } from '@datalake/model';
import { PreconditionFailedError, PutMode } from '@datalake/model';
import { metadataKey } from '../paths.js';
import { type EntryRecord, encodeJson } from '../record.js';

/**
 * Compare-and-swap of an entry's record (`.metadata/<id>.json`), the commit point of every update
 * and delete: the new etag, or undefined if another writer wrote the record first.
 */
export async function casRecord(
  backend: StorageBackend,
  etag: string,
  record: EntryRecord,
): Promise<string | undefined> {
  try {
    return (
      await backend.put(metadataKey(record.entry.id), encodeJson(record), { mode: PutMode.replace(etag) })
    ).etag;
  } catch (error) {
    if (error instanceof PreconditionFailedError) return undefined;
    throw error;
  }
}
