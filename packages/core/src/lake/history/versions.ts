import type { Entry } from '@datalake/model';
import { isPageKeyOf } from './keys.js';
import type { ChangeNote, EntryVersion, HistoryState, VersionOperation } from './types.js';

/** Inline versions past this count are spilled into a page (keeping `INLINE_KEPT`). */
export const MAX_INLINE_VERSIONS = 24;
export const INLINE_KEPT = 8;
/** A record whose encoding is larger than this spills too, however few its versions are. */
export const SPILL_RECORD_BYTES = 512 * 1024;
export const MAX_NOTE_CHARS = 4096;

/**
 * The history of a record written before history existed: its current state as version 1. Such
 * lakes open as they are and gain history from their next change on.
 */
export function historyOf(entry: Entry, history: HistoryState | undefined): HistoryState {
  if (history) return history;
  return {
    versions: [impliedVersion(entry)],
    pages: [],
  };
}

/** The one version of an entry that has no history of its own (written before history, or copied without it). */
export function impliedVersion(entry: Entry): EntryVersion {
  return {
    version: 1,
    at: entry.updatedAt ?? entry.createdAt,
    op: entry.updatedAt === null ? 'store' : 'update',
    deleted: false,
    size: entry.size,
    sha256: entry.sha256,
    metadata: entry.metadata,
  };
}

export function latestVersion(history: HistoryState): EntryVersion {
  return history.versions[history.versions.length - 1] as EntryVersion;
}

/** The version that records `entry` as it now is, following `history` (or the first, without one). */
export function versionFor(
  entry: Entry,
  op: VersionOperation,
  at: string,
  note: ChangeNote,
  previous: HistoryState | undefined,
  extra: { deleted?: boolean; restoredFrom?: number } = {},
): EntryVersion {
  const version: EntryVersion = {
    version: previous ? latestVersion(previous).version + 1 : 1,
    at,
    op,
    deleted: extra.deleted ?? false,
    size: entry.size,
    sha256: entry.sha256,
    metadata: entry.metadata,
  };
  if (note.author !== undefined) version.author = note.author;
  if (note.message !== undefined) version.message = note.message;
  if (extra.restoredFrom !== undefined) version.restoredFrom = extra.restoredFrom;
  return version;
}

export function appended(history: HistoryState, version: EntryVersion): HistoryState {
  return { versions: [...history.versions, version], pages: history.pages };
}

/** The newest version committed at or before `time` (ms), from the inline list; `undefined` if older. */
export function inlineVersionAt(history: HistoryState, time: number): EntryVersion | undefined {
  for (let index = history.versions.length - 1; index >= 0; index--) {
    const version = history.versions[index] as EntryVersion;
    if (Date.parse(version.at) <= time) return version;
  }
  return undefined;
}

/** Why `value` is not a history an entry record of `id` could carry (`undefined`: it is one). */
export function historyProblem(value: unknown, id: string): string | undefined {
  if (!isObject(value)) return 'its history is not an object';
  const { versions, pages } = value;
  if (!Array.isArray(versions) || versions.length === 0) return 'its history has no versions';
  if (!Array.isArray(pages)) return "its history's pages are not a list";
  // Numbers only grow; retention may have purged some, so they need not be contiguous.
  let expected: number | undefined;
  for (const page of pages) {
    if (!isObject(page) || typeof page.key !== 'string' || !isPageKeyOf(page.key, id))
      return "its history names a page that is not one of this entry's";
    if (!isCount(page.first) || !isCount(page.last) || page.last < page.first)
      return "its history's page range is not valid";
    if (expected !== undefined && page.first < expected) return "its history's pages overlap";
    expected = page.last + 1;
  }
  for (const version of versions) {
    const problem = versionProblem(version);
    if (problem !== undefined) return `its history ${problem}`;
    const number = (version as EntryVersion).version;
    if (expected !== undefined && number < expected) return 'its history is not numbered in sequence';
    expected = number + 1;
  }
  return undefined;
}

export function versionProblem(value: unknown): string | undefined {
  if (!isObject(value)) return 'holds a version that is not an object';
  if (!isCount(value.version)) return 'holds a version without a number';
  if (typeof value.at !== 'string' || Number.isNaN(Date.parse(value.at)))
    return `has version ${value.version} without a time`;
  if (!OPERATIONS.has(value.op as VersionOperation)) return `has version ${value.version} of no known kind`;
  if (typeof value.deleted !== 'boolean') return `has version ${value.version} without its deleted flag`;
  if (typeof value.size !== 'number' || !Number.isSafeInteger(value.size) || value.size < 0)
    return `has version ${value.version} without a size`;
  if (typeof value.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(value.sha256))
    return `has version ${value.version} without a SHA-256`;
  if (!isObject(value.metadata)) return `has version ${value.version} without metadata`;
  for (const field of ['author', 'message'] as const)
    if (value[field] !== undefined && typeof value[field] !== 'string')
      return `has version ${value.version} whose ${field} is not text`;
  if (value.restoredFrom !== undefined && !isCount(value.restoredFrom))
    return `has version ${value.version} restored from no version`;
  return undefined;
}

const OPERATIONS = new Set<VersionOperation>(['store', 'update', 'delete', 'restore', 'undelete']);

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 1;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
