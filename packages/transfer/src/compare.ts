import type { Entry, JsonValue } from '@datalake/core';

/** How an entry of a lake stands against the entry wanted at the same path. */
export interface Differing {
  wanted: Entry;
  present: Entry;
  content: boolean;
  metadata: boolean;
}

export interface Comparison {
  /** Wanted entries the lake lacks (no entry at their path). */
  missing: Entry[];
  /** Paths where the lake's entry has other content and/or metadata. */
  differing: Differing[];
  /** Wanted entries the lake holds as they are. */
  same: Entry[];
  /** Entries of the lake at paths nothing wanted is at. */
  extra: Entry[];
}

/**
 * Compares by path (the lake's natural key: one entry per path): same content (SHA-256) and equal
 * metadata is the same entry, whatever its id and timestamps.
 */
export function compareEntries(wanted: Iterable<Entry>, present: Iterable<Entry>): Comparison {
  const atPath = new Map<string, Entry>();
  for (const entry of present) atPath.set(entry.filePath, entry);
  const result: Comparison = { missing: [], differing: [], same: [], extra: [] };
  const seen = new Set<string>();
  for (const entry of wanted) {
    seen.add(entry.filePath);
    const other = atPath.get(entry.filePath);
    if (!other) {
      result.missing.push(entry);
      continue;
    }
    const content = other.sha256 !== entry.sha256 || other.size !== entry.size;
    const metadata = !sameJson(other.metadata, entry.metadata);
    if (content || metadata) result.differing.push({ wanted: entry, present: other, content, metadata });
    else result.same.push(entry);
  }
  for (const [filePath, entry] of atPath) if (!seen.has(filePath)) result.extra.push(entry);
  const byPath = (a: Entry, b: Entry) => (a.filePath < b.filePath ? -1 : a.filePath > b.filePath ? 1 : 0);
  result.missing.sort(byPath);
  result.same.sort(byPath);
  result.extra.sort(byPath);
  result.differing.sort((a, b) => byPath(a.wanted, b.wanted));
  return result;
}

/** Equal JSON values; object key order does not matter. */
export function sameJson(a: JsonValue | undefined, b: JsonValue | undefined): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((value, index) => sameJson(value, b[index]));
  }
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  return keys.every((key) => Object.hasOwn(b, key) && sameJson(a[key], b[key]));
}
