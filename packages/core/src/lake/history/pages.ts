import { randomBytes } from 'node:crypto';
import type { StorageBackend } from '@datalake/model';
import { CorruptDataError, collectBody, PutMode } from '@datalake/model';
import { freezeJson } from '../metadata.js';
import { encodeJson } from '../record.js';
import { pageKey } from './keys.js';
import type { EntryVersion, HistoryState, VersionPageRef } from './types.js';
import { INLINE_KEPT, MAX_INLINE_VERSIONS, SPILL_RECORD_BYTES, versionProblem } from './versions.js';

interface PageFile {
  format: 1;
  id: string;
  versions: EntryVersion[];
}

/**
 * Keeps a record small: once its inline versions are too many (or too large), all but the newest
 * few go into a new immutable page, written before the record that names it is committed (a
 * writer that then loses the compare-and-swap leaves an unnamed page, which nothing reads).
 */
export async function spillIfLong(
  backend: StorageBackend,
  id: string,
  history: HistoryState,
): Promise<HistoryState> {
  const { versions } = history;
  const tooMany = versions.length > MAX_INLINE_VERSIONS;
  if (!tooMany && (versions.length < 2 || jsonBytes(versions) <= SPILL_RECORD_BYTES)) return history;
  const kept = tooMany ? INLINE_KEPT : 1;
  const spilled = versions.slice(0, versions.length - kept);
  const first = (spilled[0] as EntryVersion).version;
  const last = (spilled[spilled.length - 1] as EntryVersion).version;
  const key = pageKey(id, first, last, randomBytes(6).toString('hex'));
  const page: PageFile = { format: 1, id, versions: spilled };
  await backend.put(key, encodeJson(page), { mode: PutMode.create });
  return { versions: versions.slice(-kept), pages: [...history.pages, { key, first, last }] };
}

/** The versions of one page, oldest first, validated against what the record says it holds. */
export async function readPage(
  backend: StorageBackend,
  ref: VersionPageRef,
  id: string,
): Promise<EntryVersion[]> {
  const object = await backend.get(ref.key);
  const damaged = (reason: string) =>
    new CorruptDataError(`history page ${ref.key} of entry ${id} ${reason}`, {
      details: { id, key: ref.key, problem: 'damaged-history' },
    });
  if (!object) throw damaged('is missing');
  let page: PageFile;
  try {
    page = JSON.parse(Buffer.from(await collectBody(object.body)).toString('utf8')) as PageFile;
  } catch {
    throw damaged('is not JSON');
  }
  if (page?.format !== 1 || page.id !== id || !Array.isArray(page.versions))
    throw damaged('is not a page of it');
  let previous = ref.first - 1;
  page.versions.forEach((version, index) => {
    if (versionProblem(version) !== undefined || version.version <= previous || version.version > ref.last)
      throw damaged(`holds a damaged version at position ${index}`);
    previous = version.version;
  });
  return freezeJson(page.versions as never) as EntryVersion[];
}

function jsonBytes(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value));
}
