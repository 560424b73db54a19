import type { Entry } from '@datalake/model';
import { entryFields, sameJson, ValidationError } from '@datalake/model';
import type { EntryVersion } from '../history/types.js';
import { versionProblem } from '../history/versions.js';
import { MAX_METADATA_BYTES } from '../metadata.js';
import { metadataKey } from '../paths.js';
import { entryRecordValueProblem } from '../record.js';
import type { EntryWithHistory } from './types.js';

/** Most versions one imported entry may carry (retention keeps far fewer in practice). */
export const MAX_IMPORTED_VERSIONS = 100_000;

/**
 * `input` checked as a whole against everything the lake itself would have written, and copied to
 * plain objects of the known fields only: an imported entry is trusted no more than a record read
 * from storage. `ValidationError` (`details.problem`) names the first problem.
 */
export function checkedImport(input: unknown): EntryWithHistory {
  if (!isObject(input)) throw invalid('an imported entry must be an object');
  const { entry, versions, deleted } = input;
  if (typeof deleted !== 'boolean') throw invalid('deleted must be true or false');
  if (!isObject(entry)) throw invalid('entry must be an object');
  if (!Array.isArray(versions) || versions.length === 0) throw invalid('versions must be a non-empty list');
  if (versions.length > MAX_IMPORTED_VERSIONS)
    throw invalid(`an entry may carry at most ${MAX_IMPORTED_VERSIONS} versions`);
  const clean = entryFields(entry as unknown as Entry);
  const list = versions.map((version, index) => {
    const problem = versionProblem(version);
    if (problem !== undefined) throw invalid(`entry ${clean.id}: version at position ${index} ${problem}`);
    return cleanVersion(version as EntryVersion);
  });
  const key = metadataKey(typeof clean.id === 'string' ? clean.id : '');
  const problem = entryRecordValueProblem(
    { format: 1, entry: clean, history: { versions: list, pages: [] } },
    key,
  );
  if (problem !== undefined) throw invalid(`entry ${String(clean.id)}: ${problem}`);
  if (jsonBytes(clean.metadata) > MAX_METADATA_BYTES)
    throw invalid(`entry ${clean.id}: its metadata is too large`);
  for (const version of list)
    if (jsonBytes(version.metadata) > MAX_METADATA_BYTES)
      throw invalid(`entry ${clean.id}: the metadata of version ${version.version} is too large`);
  const latest = list[list.length - 1] as EntryVersion;
  if (latest.deleted !== deleted)
    throw invalid(`entry ${clean.id}: its last version ${deleted ? 'is not' : 'is'} a deletion`);
  if (
    latest.sha256 !== clean.sha256 ||
    latest.size !== clean.size ||
    !sameJson(latest.metadata, clean.metadata)
  )
    throw invalid(`entry ${clean.id}: its last version is not the entry's state`);
  if (!deleted && latest.at !== (clean.updatedAt ?? clean.createdAt))
    throw invalid(`entry ${clean.id}: its last version's time is not the entry's updatedAt (or createdAt)`);
  for (const version of list)
    if (version.restoredFrom !== undefined && version.restoredFrom >= version.version)
      throw invalid(`entry ${clean.id}: version ${version.version} is restored from a later version`);
  return { entry: Object.freeze(clean), versions: list, deleted };
}

/**
 * The contents an entry's history needs kept under `.versions/blobs/`: every version's, except the
 * current content of a live entry (it is at the entry's path).
 */
export function keptContents(imported: EntryWithHistory): Set<string> {
  const needed = new Set(imported.versions.map((version) => version.sha256));
  if (!imported.deleted) needed.delete(imported.entry.sha256);
  return needed;
}

/** Whether two histories are the same versions (number, time, kind and state). */
export function sameVersions(a: readonly EntryVersion[], b: readonly EntryVersion[]): boolean {
  return a.length === b.length && isPrefix(a, b);
}

/** Whether `earlier` is the start of `later`: `later` only adds versions to it. */
export function isPrefix(earlier: readonly EntryVersion[], later: readonly EntryVersion[]): boolean {
  if (earlier.length > later.length) return false;
  return earlier.every((version, index) => sameJson(version as never, later[index] as never));
}

function cleanVersion(version: EntryVersion): EntryVersion {
  const out: EntryVersion = {
    version: version.version,
    at: version.at,
    op: version.op,
    deleted: version.deleted,
    size: version.size,
    sha256: version.sha256,
    metadata: version.metadata,
  };
  if (version.author !== undefined) out.author = version.author;
  if (version.message !== undefined) out.message = version.message;
  if (version.restoredFrom !== undefined) out.restoredFrom = version.restoredFrom;
  return out;
}

function invalid(message: string): ValidationError {
  return new ValidationError(`cannot import: ${message}`, { details: { problem: 'invalid-import' } });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function jsonBytes(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value));
}
