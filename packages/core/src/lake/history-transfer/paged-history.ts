import { randomBytes } from 'node:crypto';
import type { StorageBackend } from '@datalake/model';
import { PutMode } from '@datalake/model';
import { pageKey } from '../history/keys.js';
import type { EntryVersion, HistoryState } from '../history/types.js';
import { INLINE_KEPT, MAX_INLINE_VERSIONS, SPILL_RECORD_BYTES } from '../history/versions.js';
import { encodeJson } from '../record.js';

/**
 * A whole imported version list as a record carries it: the newest few inline, the older ones in
 * immutable pages of at most `MAX_INLINE_VERSIONS` versions, written before the record that names
 * them (a crash before the record leaves only unnamed pages, which nothing reads).
 */
export async function pagedHistory(
  backend: StorageBackend,
  id: string,
  versions: readonly EntryVersion[],
): Promise<HistoryState> {
  if (versions.length <= MAX_INLINE_VERSIONS && jsonBytes(versions) <= SPILL_RECORD_BYTES)
    return { versions: [...versions], pages: [] };
  let kept = Math.min(INLINE_KEPT, versions.length);
  while (kept > 1 && jsonBytes(versions.slice(-kept)) > SPILL_RECORD_BYTES) kept--;
  const spilled = versions.slice(0, versions.length - kept);
  const pages: HistoryState['pages'] = [];
  let start = 0;
  while (start < spilled.length) {
    let end = Math.min(start + MAX_INLINE_VERSIONS, spilled.length);
    while (end - start > 1 && jsonBytes(spilled.slice(start, end)) > SPILL_RECORD_BYTES) end--;
    const run = spilled.slice(start, end);
    const first = (run[0] as EntryVersion).version;
    const last = (run[run.length - 1] as EntryVersion).version;
    const key = pageKey(id, first, last, randomBytes(6).toString('hex'));
    await backend.put(key, encodeJson({ format: 1, id, versions: run }), { mode: PutMode.create });
    pages.push({ key, first, last });
    start = end;
  }
  return { versions: versions.slice(-kept), pages };
}

function jsonBytes(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value));
}
