import type { StorageBackend } from '@datalake/model';
import { collectBody, NotFoundError } from '@datalake/model';
import { decodeEntryRecord, type EntryRecord } from '../record.js';
import { deletedKey } from './keys.js';
import { readPage } from './pages.js';
import type { EntryVersion, HistoryState, VersionPageRef } from './types.js';
import { inlineVersionAt } from './versions.js';

/** An entry's record and where it stands: live (`.metadata/`) or deleted (`.versions/deleted/`). */
export interface VersionedRecord {
  record: EntryRecord;
  history: HistoryState;
  deleted: boolean;
  /** The live record's etag (for a deleted entry: undefined). */
  etag?: string;
}

/** The record of a deleted entry, or null when it has none (never deleted, or deleted before history). */
export async function readDeletedRecord(backend: StorageBackend, id: string): Promise<EntryRecord | null> {
  return (await readDeletedRecordTagged(backend, id))?.record ?? null;
}

/** `readDeletedRecord` with the etag of the object it came from. */
export async function readDeletedRecordTagged(
  backend: StorageBackend,
  id: string,
): Promise<{ record: EntryRecord; etag: string } | null> {
  const key = deletedKey(id);
  const object = await backend.get(key);
  if (!object) return null;
  return { record: decodeEntryRecord(await collectBody(object.body), key, id), etag: object.etag };
}

/** Every version of a history, oldest first (reads every page). */
export async function allVersions(
  backend: StorageBackend,
  id: string,
  history: HistoryState,
): Promise<EntryVersion[]> {
  const out: EntryVersion[] = [];
  for (const page of history.pages) out.push(...(await readPage(backend, page, id)));
  out.push(...history.versions);
  return out;
}

/** Version `number` of the history, reading at most one page. */
export async function findVersion(
  backend: StorageBackend,
  id: string,
  history: HistoryState,
  number: number,
): Promise<EntryVersion> {
  const inline = history.versions[0] as EntryVersion;
  if (number >= inline.version) {
    // Usually at its own offset; retention may have purged some versions before it.
    const at = history.versions[number - inline.version];
    const version = at?.version === number ? at : history.versions.find((item) => item.version === number);
    if (version) return version;
  } else {
    const page = history.pages.find((ref) => ref.first <= number && number <= ref.last);
    const version = page && (await readPage(backend, page, id)).find((item) => item.version === number);
    if (version) return version;
  }
  throw new NotFoundError(`entry ${id} has no version ${number}`, { details: { id, version: number } });
}

/** The newest version committed at or before `time`, or undefined when the entry did not exist yet. */
export async function versionAt(
  backend: StorageBackend,
  id: string,
  history: HistoryState,
  time: number,
): Promise<EntryVersion | undefined> {
  const inline = inlineVersionAt(history, time);
  if (inline || history.pages.length === 0) return inline;
  for (let index = history.pages.length - 1; index >= 0; index--) {
    const versions = await readPage(backend, history.pages[index] as never, id);
    for (let at = versions.length - 1; at >= 0; at--) {
      const version = versions[at] as EntryVersion;
      if (Date.parse(version.at) <= time) return version;
    }
  }
  return undefined;
}

/** The versions of one history page as `history()` pages them: newest first, below `before`. */
export async function versionsBefore(
  backend: StorageBackend,
  id: string,
  history: HistoryState,
  before: number,
  limit: number,
): Promise<EntryVersion[]> {
  const out: EntryVersion[] = [];
  for (let index = history.versions.length - 1; index >= 0 && out.length < limit; index--) {
    const version = history.versions[index] as EntryVersion;
    if (version.version < before) out.push(version);
  }
  let index = history.pages.length - 1;
  while (index >= 0 && out.length < limit) {
    // The pages that can fill the rest of the limit (a page holds at most last - first + 1
    // versions: fewer once retention purged some), read at once.
    const batch: VersionPageRef[] = [];
    for (let room = limit - out.length; index >= 0 && room > 0; index--) {
      const ref = history.pages[index] as VersionPageRef;
      if (ref.first >= before) continue;
      batch.push(ref);
      room -= Math.min(ref.last, before - 1) - ref.first + 1;
    }
    const pages = await Promise.all(batch.map((ref) => readPage(backend, ref, id)));
    for (const versions of pages) {
      for (let at = versions.length - 1; at >= 0 && out.length < limit; at--) {
        const version = versions[at] as EntryVersion;
        if (version.version < before) out.push(version);
      }
    }
  }
  return out;
}
