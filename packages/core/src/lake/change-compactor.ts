import type { StorageBackend } from '@datalake/model';
import { DataLakeError } from '@datalake/model';
import { CHANGES_PREFIX, parseNoteKey, stampKey } from './change-notes.js';

const DELETE_CONCURRENCY = 16;

/**
 * Deletes journal notes older than the retention: the oldest come first in key order, so one pass
 * reads only the pages that hold old notes. Several instances may compact at once (a note deleted
 * twice is simply gone). Returns how many notes it removed.
 */
export async function compactJournal(backend: StorageBackend, olderThan: number): Promise<number> {
  const cutoff = stampKey(olderThan);
  let removed = 0;
  let cursor: string | undefined;
  do {
    const page = await backend.list(CHANGES_PREFIX, cursor ? { cursor } : {});
    const old = page.objects.filter((object) => object.key < cutoff && parseNoteKey(object.key));
    let next = 0;
    const worker = async () => {
      while (next < old.length) {
        const key = (old[next++] as { key: string }).key;
        try {
          if (await backend.delete(key)) removed++;
        } catch (error) {
          if (!(error instanceof DataLakeError)) throw error;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(DELETE_CONCURRENCY, old.length) }, worker));
    const last = page.objects.at(-1)?.key;
    if (last === undefined || last >= cutoff) return removed;
    cursor = page.cursor;
  } while (cursor);
  return removed;
}
