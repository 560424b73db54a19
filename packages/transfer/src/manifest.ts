import {
  DATA_TYPES,
  type DataType,
  type Entry,
  type EntryVersion,
  type JsonValue,
  type Metadata,
  parseContentPath,
} from '@datalake/core';
import { ArchiveError } from './errors.js';
import { ARCHIVE_FORMAT, isSha256 } from './layout.js';

/**
 * The first line of `manifest.jsonl`. Format 1 holds each entry at its current version. Format 2
 * adds entry history: with `history`, every entry line carries its `versions`, deleted entries have
 * lines of their own, and `retention` holds the lake's rules and holds. A reader refuses a format
 * newer than it knows.
 */
export interface ManifestHeader {
  type: 'datalake-backup';
  format: number;
  /** Unique per backup: what a later `--since` backup names as its base. */
  backupId: string;
  /** ISO-8601 time the snapshot was taken (every entry is at a version of this time or later). */
  createdAt: string;
  /** The backup this one was made `--since`: contents it holds are left out of this archive. */
  since: { backupId: string; createdAt: string } | null;
  /** Entry lines that follow. */
  entries: number;
  /** Content lines that follow. */
  contents: number;
  /** Whether entry lines carry their versions (always false in format 1). */
  history: boolean;
  /** Retention rules and holds of the lake (empty in format 1). */
  retention: { rules: JsonValue[]; holds: JsonValue[] };
  /** Format 2: deleted entry lines that follow the entry lines (0 without history). */
  deleted?: number;
}

/** A deleted entry of a backup with history: as it was when deleted, and every version. */
export interface DeletedEntry {
  entry: Entry;
  versions: EntryVersion[];
}

/** The format a backup is written in: 2 with history, 1 for a lake that cannot give its history. */
export interface ManifestShape {
  format: 1 | 2;
  retention: { rules: JsonValue[]; holds: JsonValue[] };
  deleted: number;
}

/** A distinct content the backup refers to: in this archive, or in the `since` backup's chain. */
export interface ContentRef {
  sha256: string;
  size: number;
  in: 'archive' | 'base';
}

/** One line of the manifest or of an amendments member after the header. */
export type ManifestLine =
  | { entry: Entry; versions?: EntryVersion[] }
  /** Format 2: a deleted entry with its history. */
  | { deleted: DeletedEntry }
  | { content: ContentRef }
  /** Amendments only: the entry was deleted while the backup was written. */
  | { removed: string }
  /** Amendments only: the last member of this content is void (it changed while it was read). */
  | { void: string };

/** Longest single line of a manifest or amendments member (an entry with its metadata). */
export const MAX_LINE_BYTES = 16 * 1024 * 1024;

export function encodeLine(value: unknown): string {
  return `${JSON.stringify(value)}\n`;
}

export function newHeader(
  backupId: string,
  createdAt: string,
  since: ManifestHeader['since'],
  entries: number,
  contents: number,
  shape: ManifestShape = { format: 1, retention: { rules: [], holds: [] }, deleted: 0 },
): ManifestHeader {
  const header: ManifestHeader = {
    type: 'datalake-backup',
    format: shape.format,
    backupId,
    createdAt,
    since,
    entries,
    contents,
    history: shape.format >= 2,
    retention: shape.retention,
  };
  if (shape.format >= 2) header.deleted = shape.deleted;
  return header;
}

export function parseHeader(value: unknown): ManifestHeader {
  if (!isObject(value) || value.type !== 'datalake-backup')
    throw bad('the first line is not a datalake backup header');
  const { format, backupId, createdAt, since, entries, contents, history, retention } = value;
  if (!Number.isSafeInteger(format) || (format as number) < 1) throw bad('the format version is not valid');
  if ((format as number) > ARCHIVE_FORMAT) {
    throw new ArchiveError(
      'manifest',
      `the backup is of format ${String(format)}, newer than this version reads (${ARCHIVE_FORMAT}); upgrade datalake`,
      { format },
    );
  }
  if (typeof backupId !== 'string' || backupId.length === 0 || backupId.length > 200)
    throw bad('backupId is not valid');
  if (!isTimestamp(createdAt)) throw bad('createdAt is not a timestamp');
  if (
    since !== null &&
    !(isObject(since) && typeof since.backupId === 'string' && isTimestamp(since.createdAt))
  )
    throw bad('since is not valid');
  if (!isCount(entries) || !isCount(contents)) throw bad('the entry or content count is not valid');
  if (!isObject(retention) || !Array.isArray(retention.rules) || !Array.isArray(retention.holds))
    throw bad('retention is not {rules, holds}');
  if (![...retention.rules, ...retention.holds].every(isObject))
    throw bad('a retention rule or hold is not an object');
  if (format === 1) {
    if (history !== false) throw bad('history is not supported by format 1');
    if (retention.rules.length > 0 || retention.holds.length > 0)
      throw bad('retention rules and holds are not supported by format 1');
  } else {
    if (typeof history !== 'boolean') throw bad('history is not true or false');
    if (!isCount(value.deleted)) throw bad('the deleted entry count is not valid');
    if (!history && (value.deleted as number) > 0) throw bad('deleted entries without history');
  }
  return value as unknown as ManifestHeader;
}

/**
 * Parses one line after the header; `amendment` allows the lines only amendments have, `history`
 * (format 2 with history) requires entry lines to carry their versions and allows deleted entries.
 */
export function parseLine(text: string, amendment: boolean, history = false): ManifestLine {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw bad('a line is not JSON');
  }
  if (!isObject(value)) throw bad('a line is not an object');
  const keys = Object.keys(value);
  if (history && 'entry' in value && keys.length === 2 && 'versions' in value) {
    const entry = parseEntry(value.entry);
    return { entry, versions: parseVersions(value.versions, entry, false) };
  }
  if (keys.length !== 1) throw bad('a line must hold exactly one of entry, content, removed, void');
  if (history && 'entry' in value) throw bad('an entry line has no versions');
  if (history && 'deleted' in value && isObject(value.deleted)) {
    const { entry: given, versions, ...rest } = value.deleted;
    if (Object.keys(rest).length > 0) throw bad('a deleted entry line has unknown fields');
    const entry = parseEntry(given);
    return { deleted: { entry, versions: parseVersions(versions, entry, true) } };
  }
  if ('entry' in value) return { entry: parseEntry(value.entry) };
  if ('content' in value) return { content: parseContent(value.content) };
  if (amendment && 'removed' in value && typeof value.removed === 'string' && value.removed.length > 0)
    return { removed: value.removed };
  if (amendment && 'void' in value && isSha256(value.void)) return { void: value.void };
  throw bad(`unexpected line ${JSON.stringify(keys[0])}`);
}

const VERSION_KEYS = new Set([
  'version',
  'at',
  'op',
  'deleted',
  'size',
  'sha256',
  'metadata',
  'author',
  'message',
  'restoredFrom',
]);
const OPERATIONS = new Set(['store', 'update', 'delete', 'restore', 'undelete']);
/** Most versions one entry line may carry. */
export const MAX_VERSIONS = 100_000;

/**
 * The versions of an entry line: numbered upwards, each a state the lake could have recorded, the
 * last one the entry as the line gives it (a deletion for a deleted entry). The lake checks them
 * again, fully, when they are restored.
 */
export function parseVersions(value: unknown, entry: Entry, deleted: boolean): EntryVersion[] {
  const id = entry.id;
  if (!Array.isArray(value) || value.length === 0 || value.length > MAX_VERSIONS)
    throw bad(`entry ${id}: its versions are not a list of 1 to ${MAX_VERSIONS}`);
  let previous = 0;
  const versions = value.map((version: unknown) => {
    if (!isObject(version)) throw bad(`entry ${id}: a version is not an object`);
    for (const key of Object.keys(version))
      if (!VERSION_KEYS.has(key))
        throw bad(`entry ${id}: a version has an unknown field ${JSON.stringify(key)}`);
    const { version: number, at, op, deleted: gone, size, sha256, metadata } = version;
    if (!Number.isSafeInteger(number) || (number as number) <= previous)
      throw bad(`entry ${id}: its versions are not numbered upwards`);
    previous = number as number;
    if (!isTimestamp(at) || !OPERATIONS.has(op as string) || typeof gone !== 'boolean')
      throw bad(`entry ${id}: version ${number} has no valid time, kind or deleted flag`);
    if (!isCount(size) || !isSha256(sha256) || !isObject(metadata))
      throw bad(`entry ${id}: version ${number} has no valid size, sha256 or metadata`);
    for (const key of ['author', 'message'])
      if (version[key] !== undefined && typeof version[key] !== 'string')
        throw bad(`entry ${id}: version ${number} has a ${key} that is not text`);
    if (version.restoredFrom !== undefined && !Number.isSafeInteger(version.restoredFrom))
      throw bad(`entry ${id}: version ${number} is restored from no version`);
    return version as unknown as EntryVersion;
  });
  const last = versions[versions.length - 1] as EntryVersion;
  if (last.deleted !== deleted || last.sha256 !== entry.sha256 || last.size !== entry.size)
    throw bad(`entry ${id}: its last version is not the entry's state`);
  return versions;
}

function parseContent(value: unknown): ContentRef {
  if (!isObject(value) || !isSha256(value.sha256) || !isCount(value.size))
    throw bad('a content line is not valid');
  if (value.in !== 'archive' && value.in !== 'base')
    throw bad('a content line says neither archive nor base');
  return { sha256: value.sha256, size: value.size as number, in: value.in };
}

const ENTRY_KEYS = [
  'id',
  'name',
  'dataType',
  'metadata',
  'createdAt',
  'updatedAt',
  'filePath',
  'subpath',
  'size',
  'sha256',
];

/** An entry as the lake would have written it: its `filePath` is its own type, subpath and name. */
export function parseEntry(value: unknown): Entry {
  if (!isObject(value)) throw bad('an entry is not an object');
  for (const key of Object.keys(value))
    if (!ENTRY_KEYS.includes(key)) throw bad(`an entry has an unknown field ${JSON.stringify(key)}`);
  const { id, name, dataType, metadata, createdAt, updatedAt, filePath, subpath, size, sha256 } = value;
  if (typeof id !== 'string' || id.length === 0 || id.length > 200) throw bad('an entry id is not valid');
  const path = typeof filePath === 'string' ? parseContentPath(filePath) : undefined;
  if (!path) {
    throw new ArchiveError('manifest', `entry ${id} has an unsafe or invalid filePath`, {
      id,
      filePath: typeof filePath === 'string' ? filePath : null,
    });
  }
  if (path.name !== name || path.subpath !== subpath || path.dataType !== dataType)
    throw bad(`entry ${id}: its filePath is not <dataType>/<subpath>/<name>`);
  if (!(DATA_TYPES as readonly string[]).includes(dataType as string))
    throw bad(`entry ${id}: unknown dataType`);
  if (!isObject(metadata) || Array.isArray(metadata)) throw bad(`entry ${id}: metadata is not an object`);
  if (!isTimestamp(createdAt) || !(updatedAt === null || isTimestamp(updatedAt)))
    throw bad(`entry ${id}: a timestamp is not valid`);
  if (!isCount(size) || !isSha256(sha256)) throw bad(`entry ${id}: size or sha256 is not valid`);
  return {
    id,
    name: name as string,
    dataType: dataType as DataType,
    metadata: metadata as Metadata,
    createdAt: createdAt as string,
    updatedAt: updatedAt as string | null,
    filePath: filePath as string,
    subpath: subpath as string,
    size: size as number,
    sha256,
  };
}

function bad(reason: string): ArchiveError {
  return new ArchiveError('manifest', `the backup manifest is not valid: ${reason}`);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isCount(value: unknown): boolean {
  return Number.isSafeInteger(value) && (value as number) >= 0;
}

function isTimestamp(value: unknown): value is string {
  return typeof value === 'string' && value.length <= 40 && !Number.isNaN(Date.parse(value));
}
