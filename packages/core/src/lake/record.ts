import type { Entry, Metadata } from '@datalake/model';
import { CorruptDataError, isDataType, pathProblem } from '@datalake/model';
import { isCompressionCodec } from './compression/codecs.js';
import type { HistoryState, VersionOperation } from './history/types.js';
import { historyProblem } from './history/versions.js';
import { MAX_METADATA_BYTES } from './metadata.js';
import { claimKey, contentKey, idFromMetadataKey, isPlausibleId } from './paths.js';

/** Who is writing: enough to tell a live writer from an abandoned one. */
export interface WriterTag {
  host: string;
  pid: number;
  instance: string;
  at: string;
}

/** A content update in flight: the metadata it will commit once the new content is written. */
export interface PendingUpdate {
  writer: WriterTag;
  metadata: Metadata;
  updatedAt: string;
  /** The version the update commits: what made it, and who and why (recovery records them too). */
  op?: VersionOperation;
  author?: string;
  message?: string;
  restoredFrom?: number;
}

/** The JSON document stored at `.metadata/<id>.json`: the source of truth for one entry. */
export interface EntryRecord {
  format: 1;
  entry: Entry;
  pending?: PendingUpdate;
  /**
   * Set by `delete` with a compare-and-swap before anything is removed: from then on the entry is
   * gone, whatever of its objects a crash leaves behind (the next instance that meets it finishes).
   */
  deleted?: WriterTag;
  /** The entry's versions (records written before history existed have none). */
  history?: HistoryState;
}

/** The JSON document stored at `.claims/<hash of path>`: which entry owns a content path. */
export interface PathClaim {
  format: 1;
  id: string;
  filePath: string;
  writer: WriterTag;
}

/**
 * No record the lake writes comes near this size (two metadata objects of at most
 * `MAX_METADATA_BYTES`, a few short strings, and inline versions, spilled to pages well before
 * this); a larger object under `.metadata/` is not read whole.
 */
export const MAX_RECORD_BYTES = 8 * MAX_METADATA_BYTES;

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

export function encodeJson(value: unknown): Uint8Array {
  return encoder.encode(JSON.stringify(value));
}

/** A stored object that is not what its key says it is; `details.reason` says why. */
function invalid(key: string, what: string, reason: string, cause?: unknown): CorruptDataError {
  return new CorruptDataError(`${key} is not a valid ${what}: ${reason}`, {
    cause,
    details: { key, reason },
  });
}

function parseJson(bytes: Uint8Array, key: string, what: string): unknown {
  try {
    return JSON.parse(decoder.decode(bytes));
  } catch (cause) {
    throw invalid(key, what, 'it is not UTF-8 JSON', cause);
  }
}

/** The reason a record read from storage is not a valid entry record (`undefined`: it is one). */
export function entryRecordProblem(bytes: Uint8Array, key: string): string | undefined {
  try {
    decodeEntryRecord(bytes, key);
    return undefined;
  } catch (error) {
    return (error as CorruptDataError).details?.reason as string;
  }
}

/**
 * Decodes and fully validates the record at `key` (`.metadata/<id>.json`): everything a lake reads
 * from a record must be something the lake itself could have written, or a hand-edited record could
 * make it act on a key outside its content folders. Throws `CorruptDataError` (`details.reason`).
 */
export function decodeEntryRecord(
  bytes: Uint8Array,
  key: string,
  id: string | undefined = idFromMetadataKey(key),
): EntryRecord {
  if (bytes.byteLength > MAX_RECORD_BYTES)
    throw invalid(key, 'entry record', `it is ${bytes.byteLength} bytes, more than any record`);
  const value = parseJson(bytes, key, 'entry record');
  const reason = recordValueProblem(value, bytes.byteLength, id);
  if (reason !== undefined) throw invalid(key, 'entry record', reason);
  return value as EntryRecord;
}

/** `recordValueProblem` for a record that did not come from bytes (the catalog snapshot). */
export function entryRecordValueProblem(value: unknown, key: string): string | undefined {
  return recordValueProblem(value, undefined, idFromMetadataKey(key));
}

function recordValueProblem(
  value: unknown,
  byteLength: number | undefined,
  id: string | undefined,
): string | undefined {
  if (!isObject(value)) return 'it is not a JSON object';
  if (value.format !== 1) return `its format is ${describe(value.format)}, not 1`;
  const entry = value.entry;
  if (!isObject(entry)) return 'it has no entry object';
  const entryProblem = entryValueProblem(entry, byteLength);
  if (entryProblem !== undefined) return entryProblem;
  if (entry.id !== id) return `its id ${describe(entry.id)} does not match its key`;
  if (value.pending !== undefined) {
    const pending = value.pending;
    if (!isObject(pending)) return 'its pending update is not an object';
    const writer = writerProblem(pending.writer);
    if (writer !== undefined) return `its pending update's writer ${writer}`;
    if (!isObject(pending.metadata)) return "its pending update's metadata is not a JSON object";
    if (!isTimestamp(pending.updatedAt)) return "its pending update's updatedAt is not a timestamp";
    for (const field of ['author', 'message', 'op'] as const)
      if (pending[field] !== undefined && typeof pending[field] !== 'string')
        return `its pending update's ${field} is not text`;
  }
  if (value.history !== undefined) {
    const problem = historyProblem(value.history, id as string);
    if (problem !== undefined) return problem;
  }
  if (value.deleted !== undefined) {
    const writer = writerProblem(value.deleted);
    if (writer !== undefined) return `its deletion mark ${writer}`;
  }
  return undefined;
}

function entryValueProblem(
  entry: Record<string, unknown>,
  byteLength: number | undefined,
): string | undefined {
  const { id, name, dataType, subpath, filePath, size, sha256, metadata, createdAt, updatedAt } = entry;
  if (typeof id !== 'string' || !isPlausibleId(id)) return `its id ${describe(id)} is not an entry id`;
  if (!isDataType(dataType)) return `its dataType ${describe(dataType)} is not a data type`;
  if (typeof name !== 'string' || name === '' || name.includes('/'))
    return `its name ${describe(name)} is not a name the lake accepts`;
  if (typeof subpath !== 'string') return `its subpath ${describe(subpath)} is not a string`;
  const expected = contentKey(dataType, subpath, name);
  if (filePath !== expected)
    return `its filePath ${describe(filePath)} is not ${describe(expected)} (<dataType>/<subpath>/<name>)`;
  // One check of the whole path covers name and subpath: each of their segments is one of its segments.
  const problem = isPlainPath(expected) ? undefined : pathProblem(expected);
  if (problem !== undefined)
    return `its filePath ${describe(filePath)} is not a path the lake accepts: it ${problem}`;
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0)
    return `its size ${describe(size)} is not a byte count`;
  if (typeof sha256 !== 'string' || !isSha256Hex(sha256))
    return `its sha256 ${describe(sha256)} is not 64 lower-case hex digits`;
  const storedProblem = storedFormProblem(entry.stored);
  if (storedProblem !== undefined) return storedProblem;
  if (!isObject(metadata)) return 'its metadata is not a JSON object';
  // Only a record larger than the metadata limit can hold metadata over it: measure just those. (The
  // snapshot's records come without a size; their metadata was measured when the record was read.)
  if (byteLength !== undefined && byteLength > MAX_METADATA_BYTES && jsonBytes(metadata) > MAX_METADATA_BYTES)
    return `its metadata is larger than ${MAX_METADATA_BYTES} bytes`;
  if (!isTimestamp(createdAt)) return `its createdAt ${describe(createdAt)} is not a timestamp`;
  if (updatedAt !== null && !isTimestamp(updatedAt))
    return `its updatedAt ${describe(updatedAt)} is neither null nor a timestamp`;
  return undefined;
}

/** Why an entry's `stored` (how its content is stored, when compressed) is not valid. */
function storedFormProblem(stored: unknown): string | undefined {
  if (stored === undefined) return undefined;
  if (!isObject(stored)) return 'its stored form is not an object';
  if (!isCompressionCodec(stored.codec))
    return `its stored codec ${describe(stored.codec)} is not a known codec`;
  if (typeof stored.size !== 'number' || !Number.isSafeInteger(stored.size) || stored.size < 0)
    return `its stored size ${describe(stored.size)} is not a byte count`;
  return undefined;
}

/** Why `value` is not a writer tag, phrased to follow "its writer". */
function writerProblem(value: unknown): string | undefined {
  if (!isObject(value)) return 'is not an object';
  if (typeof value.host !== 'string') return 'has no host';
  if (typeof value.pid !== 'number' || !Number.isSafeInteger(value.pid)) return 'has no process id';
  if (typeof value.instance !== 'string') return 'has no instance';
  if (!isTimestamp(value.at)) return 'has no timestamp';
  return undefined;
}

/** Decodes and validates the claim at `key`, which must be the claim key of the path it names. */
export function decodePathClaim(bytes: Uint8Array, key: string): PathClaim {
  const value = parseJson(bytes, key, 'path claim');
  const reason = claimProblem(value, key);
  if (reason !== undefined) throw invalid(key, 'path claim', reason);
  return value as PathClaim;
}

function claimProblem(value: unknown, key: string): string | undefined {
  if (!isObject(value)) return 'it is not a JSON object';
  if (value.format !== 1) return `its format is ${describe(value.format)}, not 1`;
  if (typeof value.id !== 'string' || !isPlausibleId(value.id))
    return `its id ${describe(value.id)} is not an entry id`;
  if (typeof value.filePath !== 'string' || pathProblem(value.filePath) !== undefined)
    return `its filePath ${describe(value.filePath)} is not a content path`;
  if (claimKey(value.filePath) !== key)
    return `it names ${describe(value.filePath)}, whose claim is another key`;
  const writer = writerProblem(value.writer);
  if (writer !== undefined) return `its writer ${writer}`;
  return undefined;
}

/** 64 lower-case hex digits (a loop: several times faster than a regular expression here). */
function isSha256Hex(text: string): boolean {
  if (text.length !== 64) return false;
  for (let index = 0; index < 64; index++) {
    const code = text.charCodeAt(index);
    if (!((code >= 48 && code <= 57) || (code >= 97 && code <= 102))) return false;
  }
  return true;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * Paths of plain ASCII segments (none of them `.` or `..`) that `pathProblem` always accepts: opening
 * a lake validates every record, and most paths are like this, so they skip its fuller checks.
 */
const PLAIN_PATH = /^(?:(?!\.\.?\/)[\w.+@=,~#-]{1,255}\/)*(?!\.\.?$)[\w.+@=,~#-]{1,255}$/;
const MAX_PLAIN_PATH = 1024;

function isPlainPath(path: string): boolean {
  return path.length <= MAX_PLAIN_PATH && PLAIN_PATH.test(path);
}

/** What `toISOString` writes; checked first because it is much cheaper than `Date.parse`. */
const ISO_TIMESTAMP = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

function isTimestamp(value: unknown): boolean {
  return typeof value === 'string' && (ISO_TIMESTAMP.test(value) || !Number.isNaN(Date.parse(value)));
}

function jsonBytes(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value));
}

/** A value for a message: JSON-quoted and cut short, so that no stored text reaches a terminal raw. */
function describe(value: unknown): string {
  if (value === undefined) return 'missing';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}
