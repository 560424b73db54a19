import {
  VERSIONS_BLOBS_PREFIX,
  VERSIONS_DELETED_PREFIX,
  VERSIONS_LEGACY_TIMELINE_KEY,
  VERSIONS_PAGES_PREFIX,
  VERSIONS_PREFIX,
  VERSIONS_RETENTION_PREFIX,
  VERSIONS_TIMELINE_KEY,
} from '@datalake/model';
import { CODEC_SUFFIXES, COMPRESSION_CODECS, type CompressionCodec } from '../compression/codecs.js';
import { isPlausibleId } from '../paths.js';

export { VERSIONS_PREFIX };

/**
 * Where entry history lives: noncurrent content by SHA-256 (`blobs/`), spilled pages of long version
 * lists (`pages/<id>/`), the records of deleted entries (`deleted/<id>.json`) and the retention
 * rules and holds (`retention/`). Reserved like `.metadata/`: never listed, searched or checked as content.
 */
export const BLOBS_PREFIX = VERSIONS_BLOBS_PREFIX;
export const PAGES_PREFIX = VERSIONS_PAGES_PREFIX;
export const DELETED_PREFIX = VERSIONS_DELETED_PREFIX;
export const RETENTION_PREFIX = VERSIONS_RETENTION_PREFIX;
/** The version lists of changed entries, for time travel without reading every record (see `TimelineIndex`). */
export const TIMELINE_KEY = VERSIONS_TIMELINE_KEY;
/** Where earlier releases kept the timeline, as JSON: removed when the binary file replaces it. */
export const LEGACY_TIMELINE_KEY = VERSIONS_LEGACY_TIMELINE_KEY;

/**
 * Content stored once per distinct SHA-256 (lower-case hex) of its original bytes; compressed
 * content keeps its form and carries its codec's suffix (`<sha256>.gz`).
 */
export function blobKey(sha256: string, codec?: CompressionCodec): string {
  return codec ? `${BLOBS_PREFIX}${sha256}${CODEC_SUFFIXES[codec]}` : `${BLOBS_PREFIX}${sha256}`;
}

/** The SHA-256 and codec a blob key names, or undefined for a key that is no blob's. */
export function parseBlobKey(key: string): { sha256: string; codec?: CompressionCodec } | undefined {
  if (!key.startsWith(BLOBS_PREFIX)) return undefined;
  const name = key.slice(BLOBS_PREFIX.length);
  const sha256 = name.slice(0, 64);
  if (!/^[0-9a-f]{64}$/.test(sha256)) return undefined;
  const suffix = name.slice(64);
  if (suffix === '') return { sha256 };
  const codec = COMPRESSION_CODECS.find((candidate) => CODEC_SUFFIXES[candidate] === suffix);
  return codec ? { sha256, codec } : undefined;
}

/** The record of a deleted entry: its last state and its whole version list. */
export function deletedKey(id: string): string {
  return `${DELETED_PREFIX}${id}.json`;
}

/** The id a `.versions/deleted/<id>.json` key names, or undefined. */
export function idFromDeletedKey(key: string): string | undefined {
  if (!key.startsWith(DELETED_PREFIX) || !key.endsWith('.json')) return undefined;
  const id = key.slice(DELETED_PREFIX.length, -'.json'.length);
  return isPlausibleId(id) ? id : undefined;
}

/** A spilled page of versions `first..last` of entry `id`; `tag` keeps racing writers' pages apart. */
export function pageKey(id: string, first: number, last: number, tag: string): string {
  return `${PAGES_PREFIX}${id}/${first}-${last}-${tag}.json`;
}

/** Whether `key` is a page key of entry `id` (a record must never point a reader anywhere else). */
export function isPageKeyOf(key: string, id: string): boolean {
  const prefix = `${PAGES_PREFIX}${id}/`;
  return key.startsWith(prefix) && /^\d+-\d+-[0-9a-f]{1,32}\.json$/.test(key.slice(prefix.length));
}
