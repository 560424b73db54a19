import { compareByPath, type Entry, sameJson } from '@datalake/core';

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
  result.missing.sort(compareByPath);
  result.same.sort(compareByPath);
  result.extra.sort(compareByPath);
  result.differing.sort((a, b) => compareByPath(a.wanted, b.wanted));
  return result;
}
