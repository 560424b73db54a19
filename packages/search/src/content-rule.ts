import type { Entry } from '@datalake/model';
import type { SearchHost } from './host.js';

/**
 * Contents larger than this are not indexed (nor read by a search): their entries are found by name
 * and metadata. 16 MiB is also the size at which a segment is written, so no document outgrows one
 * segment, and analysing a document this size costs about 100 MiB of memory at most.
 */
export const DEFAULT_MAX_INDEXED_BYTES = 16 * 1024 * 1024;

/** How much of a content is looked at to tell binary from text (as git does). */
export const BINARY_PROBE_BYTES = 8 * 1024;

/**
 * Why an entry's content is not in the search index (its name and metadata are):
 * - `binary`: a NUL byte in its first 8 KiB;
 * - `too-large`: over `maxIndexedBytes`;
 * - `failed`: analysing it failed; it is searched by reading it on every query instead, and
 *   `reindex()` tries again.
 */
export type NotIndexedReason = 'binary' | 'too-large' | 'failed';

/**
 * Whether content counts as binary: a NUL byte among its first `BINARY_PROBE_BYTES` bytes. Text in
 * any 8-bit encoding (UTF-8, Latin-1, Windows-1252) has none; UTF-16 text does, and counts as binary.
 */
export function isBinary(bytes: Uint8Array): boolean {
  const probe = bytes.length > BINARY_PROBE_BYTES ? bytes.subarray(0, BINARY_PROBE_BYTES) : bytes;
  return probe.indexOf(0) !== -1;
}

/** The content size limit a host sets (see `SearchHost.maxIndexedBytes`). */
export function maxIndexedBytesOf(host: Pick<SearchHost, 'maxIndexedBytes'>): number {
  return host.maxIndexedBytes ?? DEFAULT_MAX_INDEXED_BYTES;
}

/** Whether an entry's content is over the size limit (decided from the entry, without reading). */
export function isTooLarge(entry: Pick<Entry, 'size'>, maxIndexedBytes: number): boolean {
  return entry.size > maxIndexedBytes;
}

/** How the index holds an entry, given its content (`null`: not read, as it is over the limit). */
export function indexedState(
  entry: Pick<Entry, 'size'>,
  content: Uint8Array | null,
  maxIndexedBytes: number,
): 'indexed' | 'binary' | 'too-large' {
  if (content === null || isTooLarge(entry, maxIndexedBytes)) return 'too-large';
  return isBinary(content) ? 'binary' : 'indexed';
}
