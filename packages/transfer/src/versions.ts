import type { Entry, EntryVersion } from '@datalake/core';
import { impliedVersion, sameJson } from '@datalake/core';
import type { ArchiveSummary } from './scan.js';

/**
 * The versions of an entry of a backup: those the archive carries, or for an archive without
 * history (format 1) the one version a lake gives an entry recorded before history existed.
 */
export function versionsOf(summary: ArchiveSummary, entry: Entry): EntryVersion[] {
  return summary.versions.get(entry.id) ?? [impliedVersion(entry)];
}

/** Whether `earlier` is the start of `later` (`later` only adds versions). */
export function isPrefixOf(earlier: readonly EntryVersion[], later: readonly EntryVersion[]): boolean {
  if (earlier.length > later.length) return false;
  return earlier.every((version, index) => sameJson(version as never, later[index] as never));
}
