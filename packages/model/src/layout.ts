/**
 * The layout of a lake in its storage: every key prefix the lake reserves for its own bookkeeping,
 * and the well-known keys and sub-prefixes inside them. Entry content lives at `<dataType>/...`; no
 * data type starts with a dot, so no entry's content can ever land under one of these prefixes, and
 * nothing under them is ever listed, searched or counted as an entry. Every package that reads or
 * writes these keys takes them from here.
 */

/** Entry records, `.metadata/<id>.json`: the source of truth of each entry. */
export const METADATA_PREFIX = '.metadata/';
/** Path claims, `.claims/<sha256 of the path>`: which entry owns a content path. */
export const CLAIMS_PREFIX = '.claims/';
/** The catalog snapshot that makes `open` cheap. */
export const CATALOG_PREFIX = '.catalog/';
export const SNAPSHOT_KEY = `${CATALOG_PREFIX}snapshot.json`;
/** The persisted search index. */
export const INDEX_PREFIX = '.index/';
/** The search index's segments, one object each. */
export const INDEX_SEGMENTS_PREFIX = `${INDEX_PREFIX}segments/`;
/** What `fsck` with repair moves out of the way: `.quarantine/<run>/<original key>`, never deleted. */
export const QUARANTINE_PREFIX = '.quarantine/';
/** Access tokens and grants of `datalake serve`, kept in the lake so every instance and backend shares them. */
export const AUTH_PREFIX = '.auth/';
/** The access tokens of `datalake serve`, `.auth/tokens/<id>.json`. */
export const AUTH_TOKENS_PREFIX = `${AUTH_PREFIX}tokens/`;
/** The audit log of `datalake serve`: writes, deletes and admin actions, `.audit/<yyyy-mm-dd>/`. */
export const AUDIT_PREFIX = '.audit/';
/** The change journal: short-lived notes naming what each write changed. */
export const CHANGES_PREFIX = '.changes/';
/** Entry history: noncurrent content, spilled version pages, deleted entries' records, retention. */
export const VERSIONS_PREFIX = '.versions/';
/** Noncurrent content, once per distinct SHA-256 of its original bytes. */
export const VERSIONS_BLOBS_PREFIX = `${VERSIONS_PREFIX}blobs/`;
/** Spilled pages of long version lists, `.versions/pages/<id>/`. */
export const VERSIONS_PAGES_PREFIX = `${VERSIONS_PREFIX}pages/`;
/** The records of deleted entries, `.versions/deleted/<id>.json`. */
export const VERSIONS_DELETED_PREFIX = `${VERSIONS_PREFIX}deleted/`;
/** Retention rules and holds. */
export const VERSIONS_RETENTION_PREFIX = `${VERSIONS_PREFIX}retention/`;
/** Numbered versions of the retention rules, each written once. */
export const RETENTION_RULES_PREFIX = `${VERSIONS_RETENTION_PREFIX}rules/`;
/** Holds on entries, `.versions/retention/holds/<id>.json`. */
export const RETENTION_HOLDS_PREFIX = `${VERSIONS_RETENTION_PREFIX}holds/`;
/** Marks of a retention run about to remove a blob, `.versions/purging/<sha256>`. */
export const VERSIONS_PURGING_PREFIX = `${VERSIONS_PREFIX}purging/`;
/** The version lists of changed entries, for time travel without reading every record. */
export const VERSIONS_TIMELINE_KEY = `${VERSIONS_PREFIX}timeline.bin`;
/** Where earlier releases kept the timeline, as JSON: removed when the binary file replaces it. */
export const VERSIONS_LEGACY_TIMELINE_KEY = `${VERSIONS_PREFIX}timeline.json`;
/** The lake's own settings (compression), kept in the lake so every instance and tool applies the same. */
export const SETTINGS_PREFIX = '.settings/';
export const SETTINGS_KEY = `${SETTINGS_PREFIX}lake.json`;

/** Every key prefix the lake reserves for itself (the top level of the layout). */
export const RESERVED_PREFIXES: readonly string[] = Object.freeze([
  METADATA_PREFIX,
  CLAIMS_PREFIX,
  CATALOG_PREFIX,
  INDEX_PREFIX,
  QUARANTINE_PREFIX,
  AUTH_PREFIX,
  AUDIT_PREFIX,
  CHANGES_PREFIX,
  VERSIONS_PREFIX,
  SETTINGS_PREFIX,
]);

/** Whether a storage key belongs to the lake's own bookkeeping rather than to an entry's content. */
export function isReservedKey(key: string): boolean {
  return RESERVED_PREFIXES.some((prefix) => key.startsWith(prefix));
}
