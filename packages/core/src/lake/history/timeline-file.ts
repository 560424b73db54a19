import type { Metadata } from '@datalake/model';
import { freezeJson } from '../metadata.js';
import type { EntryVersion, HistoryState, VersionOperation } from './types.js';
import { inlineVersionAt, versionProblem } from './versions.js';

/**
 * The timeline file: the inline version lists of changed live entries and the records of deleted
 * ones, in a binary form a reader can use without decoding it. Loading walks the record headers
 * only (id, etag, where the record lies); `list({ asOf })` then finds an entry's version at a moment
 * among its version times and decodes that one version's JSON alone.
 *
 * Layout (little-endian):
 *
 *     magic "DLTIMELN" · u32 format (2) · u32 live count · u32 deleted count
 *     live record:    u32 length · u16 id length · id · u16 etag length · etag · u32 table sum
 *                     · u8 flags · u32 n · f64[n] times · u32[n] version lengths · u32[n] version sums
 *                     · the n versions (the newest, which is the entry itself, empty)
 *     version:        u32 number · f64 size · u8 kind (operation, deleted, extras) · 32 bytes SHA-256
 *                     · u8 length of at · at · JSON: its metadata, or (with extras) an object of
 *                     metadata, author, message and restoredFrom
 *     deleted record: u32 length · u16 id length · id · u16 etag length · etag · u32 sum · record JSON
 *
 * The table sum covers everything from the id length to the end of the sums (but itself); each
 * version and each deleted record has its own. A damaged byte thus makes the part it is in unusable (the record is
 * then read from the lake), never a wrong answer, while a lookup hashes only what it uses.
 */
export const TIMELINE_MAGIC = 'DLTIMELN';
export const TIMELINE_FORMAT = 2;
const HEADER_BYTES = 8 + 4 + 4 + 4;
const HAS_PAGES = 1;
const MAX_NAME_BYTES = 0xffff;

/** Where a record lies in a loaded timeline file. */
export interface RecordSpan {
  start: number;
  end: number;
}

/** A live record's span: its id and etag are decoded, the rest waits for a lookup. */
export interface LiveSpan extends RecordSpan {
  etag: string;
  /** Offset of the table sum (just after the etag). */
  table: number;
}

export interface DeletedSpan extends RecordSpan {
  etag: string;
  /** Offset of the record JSON's sum. */
  body: number;
}

/** `bytes` as a Buffer (the same memory). */
export function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** FNV-1a (32 bits) of `bytes[start, end)`: a single changed byte always changes it. */
export function checksum(bytes: Uint8Array, start: number, end: number, seed = 0x811c9dc5): number {
  let hash = seed;
  for (let at = start; at < end; at++) hash = Math.imul(hash ^ (bytes[at] as number), 0x01000193);
  return hash >>> 0;
}

/**
 * The version of the live record at `span` in effect at `time` (ms), as `inlineVersionAt` gives it:
 * `null` when none of its inline versions is that old and it has no pages (the entry did not exist
 * yet), `undefined` when the file cannot say (a version is in a page, it is the newest, whose data
 * the file leaves to the entry, or a part it needs is damaged).
 */
export function spanVersionAt(
  bytes: Uint8Array,
  span: LiveSpan,
  time: number,
): EntryVersion | null | undefined {
  if (!tableIsWhole(bytes, span.start, span.table, span.end)) return undefined;
  return recordVersionAt(bytes, span.table, span.end, time);
}

/** Whether the table of the live record at `start` (its sum at `sumAt`) is whole: its sum holds. */
export function tableIsWhole(bytes: Uint8Array, start: number, sumAt: number, end: number): boolean {
  const buffer = asBuffer(bytes);
  const flagsAt = sumAt + 4;
  if (flagsAt + 5 > end) return false;
  const count = buffer.readUInt32LE(flagsAt + 1);
  const jsonAt = flagsAt + 5 + 16 * count;
  if (count === 0 || jsonAt > end) return false;
  return tableSum(bytes, start + 4, sumAt, jsonAt) === buffer.readUInt32LE(sumAt);
}

/**
 * `spanVersionAt` of a live record whose table `tableIsWhole` has checked. `sha256`: the entry's
 * current SHA-256, whose string is reused when the version has the same content.
 */
export function recordVersionAt(
  bytes: Uint8Array,
  sumAt: number,
  end: number,
  time: number,
  sha256?: string,
): EntryVersion | null | undefined {
  const buffer = asBuffer(bytes);
  const flagsAt = sumAt + 4;
  const count = buffer.readUInt32LE(flagsAt + 1);
  const timesAt = flagsAt + 5;
  const lengthsAt = timesAt + 8 * count;
  const sumsAt = lengthsAt + 4 * count;
  const jsonAt = sumsAt + 4 * count;
  let found = -1;
  for (let index = count - 1; index >= 0; index--) {
    if (buffer.readDoubleLE(timesAt + 8 * index) <= time) {
      found = index;
      break;
    }
  }
  if (found < 0) return buffer.readUInt8(flagsAt) & HAS_PAGES ? undefined : null;
  let start = jsonAt;
  for (let index = 0; index < found; index++) start += buffer.readUInt32LE(lengthsAt + 4 * index);
  const versionEnd = start + buffer.readUInt32LE(lengthsAt + 4 * found);
  const sum = buffer.readUInt32LE(sumsAt + 4 * found);
  if (versionEnd > end || checksum(bytes, start, versionEnd) !== sum) return undefined;
  return decodeVersion(buffer, start, versionEnd, sha256);
}

const OPERATIONS: readonly VersionOperation[] = ['store', 'update', 'delete', 'restore', 'undelete'];
const DELETED = 8;
const EXTRAS = 16;
/** Number, size, kind, SHA-256, length of `at`. */
const FIXED_VERSION_BYTES = 4 + 8 + 1 + 32 + 1;

/**
 * Parsed metadata by the checksum of its JSON (each held with its bytes, compared before use): versions
 * of many entries often carry the same, frozen and so shared, and a hit costs no string.
 */
const metadataCache = new Map<number, { json: Uint8Array; metadata: Metadata }>();
const METADATA_CACHE_SIZE = 4096;

function decodeVersion(
  buffer: Buffer,
  start: number,
  end: number,
  currentSha?: string,
): EntryVersion | undefined {
  if (end - start < FIXED_VERSION_BYTES + 2) return undefined;
  const kind = buffer.readUInt8(start + 12);
  const op = OPERATIONS[kind & 7];
  const size = buffer.readDoubleLE(start + 4);
  const atEnd = start + FIXED_VERSION_BYTES + buffer.readUInt8(start + FIXED_VERSION_BYTES - 1);
  if (!op || !Number.isSafeInteger(size) || size < 0 || atEnd >= end) return undefined;
  const version: EntryVersion = {
    version: buffer.readUInt32LE(start),
    at: buffer.toString('utf8', start + FIXED_VERSION_BYTES, atEnd),
    op,
    deleted: (kind & DELETED) !== 0,
    size,
    sha256:
      currentSha !== undefined && isHexOf(buffer, start + 13, currentSha)
        ? currentSha
        : buffer.toString('hex', start + 13, start + 45),
    metadata: {},
  };
  if (kind & EXTRAS) {
    try {
      Object.assign(version, JSON.parse(buffer.toString('utf8', atEnd, end)) as Record<string, unknown>);
    } catch {
      return undefined;
    }
    freezeJson(version.metadata as never);
    return versionProblem(version) === undefined ? version : undefined;
  }
  const metadata = cachedMetadata(buffer, atEnd, end);
  if (!metadata) return undefined;
  version.metadata = metadata;
  return version;
}

/** The metadata whose JSON is `buffer[start, end)`, parsed once. */
function cachedMetadata(buffer: Buffer, start: number, end: number): Metadata | undefined {
  const sum = checksum(buffer, start, end);
  const cached = metadataCache.get(sum);
  if (cached && sameBytes(cached.json, buffer, start, end)) return cached.metadata;
  let metadata: Metadata;
  try {
    metadata = JSON.parse(buffer.toString('utf8', start, end)) as Metadata;
  } catch {
    return undefined;
  }
  if (metadata === null || typeof metadata !== 'object' || Array.isArray(metadata)) return undefined;
  if (metadataCache.size >= METADATA_CACHE_SIZE) metadataCache.clear();
  freezeJson(metadata as never);
  metadataCache.set(sum, { json: Uint8Array.prototype.slice.call(buffer, start, end), metadata });
  return metadata;
}

function sameBytes(held: Uint8Array, buffer: Buffer, start: number, end: number): boolean {
  if (held.byteLength !== end - start) return false;
  for (let at = 0; at < held.byteLength; at++) if (held[at] !== buffer[start + at]) return false;
  return true;
}

/** Whether the 32 bytes at `at` are the SHA-256 whose lowercase hex is `hex`. */
function isHexOf(buffer: Buffer, at: number, hex: string): boolean {
  if (hex.length !== 64) return false;
  for (let index = 0; index < 32; index++) {
    const byte = buffer[at + index] as number;
    if (
      hex.charCodeAt(2 * index) !== HEX_CODES[byte >> 4] ||
      hex.charCodeAt(2 * index + 1) !== HEX_CODES[byte & 15]
    )
      return false;
  }
  return true;
}

const HEX_CODES = Array.from('0123456789abcdef', (digit) => digit.charCodeAt(0));

function encodeVersion(version: EntryVersion): Uint8Array | undefined {
  const extras: Record<string, unknown> = {};
  if (version.author !== undefined) extras.author = version.author;
  if (version.message !== undefined) extras.message = version.message;
  if (version.restoredFrom !== undefined) extras.restoredFrom = version.restoredFrom;
  const hasExtras = Object.keys(extras).length > 0;
  const at = Buffer.from(version.at, 'utf8');
  const json = Buffer.from(
    JSON.stringify(hasExtras ? { metadata: version.metadata, ...extras } : version.metadata),
    'utf8',
  );
  if (at.byteLength > 0xff || version.version > 0xffffffff) return undefined;
  const out = Buffer.alloc(FIXED_VERSION_BYTES + at.byteLength + json.byteLength);
  out.writeUInt32LE(version.version, 0);
  out.writeDoubleLE(version.size, 4);
  const kind = OPERATIONS.indexOf(version.op) | (version.deleted ? DELETED : 0) | (hasExtras ? EXTRAS : 0);
  out.writeUInt8(kind, 12);
  out.write(version.sha256, 13, 32, 'hex');
  out.writeUInt8(at.byteLength, FIXED_VERSION_BYTES - 1);
  out.set(at, FIXED_VERSION_BYTES);
  out.set(json, FIXED_VERSION_BYTES + at.byteLength);
  return out;
}

/** The JSON of the deleted record at `span`, or undefined when it is damaged. */
export function spanDeletedJson(bytes: Uint8Array, span: DeletedSpan): Uint8Array | undefined {
  const buffer = asBuffer(bytes);
  const start = span.body + 4;
  if (checksum(bytes, start, span.end) !== buffer.readUInt32LE(span.body)) return undefined;
  return bytes.subarray(start, span.end);
}

/** Builds a timeline file from records: new ones encoded, ones from a loaded file copied as they are. */
export class TimelineFileWriter {
  private readonly parts: Uint8Array[] = [];
  private liveCount = 0;
  private deletedCount = 0;
  private deletedParts: Uint8Array[] = [];

  /** A live entry's inline versions; false when it cannot be kept (an id or etag too long). */
  addLive(id: string, etag: string, history: HistoryState): boolean {
    const names = encodeNames(id, etag);
    if (!names) return false;
    const { versions } = history;
    const encodedVersions: Uint8Array[] = [];
    for (const [index, version] of versions.entries()) {
      // The newest is the entry as the catalog shows it: only its time is kept.
      const encoded = index === versions.length - 1 ? new Uint8Array(0) : encodeVersion(version);
      if (!encoded) return false;
      encodedVersions.push(encoded);
    }
    const count = versions.length;
    const tableBytes = names.byteLength + 4 + 1 + 4 + 16 * count;
    const versionBytes = encodedVersions.reduce((total, json) => total + json.byteLength, 0);
    const record = Buffer.alloc(4 + tableBytes + versionBytes);
    record.writeUInt32LE(record.byteLength - 4, 0);
    record.set(names, 4);
    const sumAt = 4 + names.byteLength;
    let at = sumAt + 4;
    record.writeUInt8(history.pages.length > 0 ? HAS_PAGES : 0, at);
    record.writeUInt32LE(count, at + 1);
    at += 5;
    for (const version of versions) at = record.writeDoubleLE(Date.parse(version.at), at);
    for (const json of encodedVersions) at = record.writeUInt32LE(json.byteLength, at);
    for (const json of encodedVersions) at = record.writeUInt32LE(checksum(json, 0, json.byteLength), at);
    record.writeUInt32LE(tableSum(record, 4, sumAt, at), sumAt);
    for (const json of encodedVersions) {
      record.set(json, at);
      at += json.byteLength;
    }
    this.parts.push(record);
    this.liveCount++;
    return true;
  }

  /** A deleted entry's record (its JSON). */
  addDeleted(id: string, etag: string, json: Uint8Array): boolean {
    const names = encodeNames(id, etag);
    if (!names) return false;
    const record = Buffer.alloc(4 + names.byteLength + 4 + json.byteLength);
    record.writeUInt32LE(record.byteLength - 4, 0);
    record.set(names, 4);
    record.writeUInt32LE(checksum(json, 0, json.byteLength), 4 + names.byteLength);
    record.set(json, 8 + names.byteLength);
    this.deletedParts.push(record);
    this.deletedCount++;
    return true;
  }

  /** A live record of a loaded file, copied byte for byte. */
  copyLive(bytes: Uint8Array, span: RecordSpan): void {
    this.parts.push(bytes.subarray(span.start, span.end));
    this.liveCount++;
  }

  copyDeleted(bytes: Uint8Array, span: RecordSpan): void {
    this.deletedParts.push(bytes.subarray(span.start, span.end));
    this.deletedCount++;
  }

  bytes(): Uint8Array {
    const header = Buffer.alloc(HEADER_BYTES);
    header.write(TIMELINE_MAGIC, 0, 'latin1');
    header.writeUInt32LE(TIMELINE_FORMAT, 8);
    header.writeUInt32LE(this.liveCount, 12);
    header.writeUInt32LE(this.deletedCount, 16);
    return Buffer.concat([header, ...this.parts, ...this.deletedParts]);
  }
}

/** The sum of a live record's table: its names, then what follows the sum itself. */
function tableSum(bytes: Uint8Array, start: number, sumAt: number, end: number): number {
  return checksum(bytes, sumAt + 4, end, checksum(bytes, start, sumAt));
}

function encodeNames(id: string, etag: string): Buffer | undefined {
  const idBytes = Buffer.from(id, 'latin1');
  const etagBytes = Buffer.from(etag, 'utf8');
  if (idBytes.byteLength > MAX_NAME_BYTES || etagBytes.byteLength > MAX_NAME_BYTES) return undefined;
  const names = Buffer.alloc(4 + idBytes.byteLength + etagBytes.byteLength);
  names.writeUInt16LE(idBytes.byteLength, 0);
  names.set(idBytes, 2);
  names.writeUInt16LE(etagBytes.byteLength, 2 + idBytes.byteLength);
  names.set(etagBytes, 4 + idBytes.byteLength);
  return names;
}

/** `spanVersionAt` for a history held in memory. */
export function historyVersionAt(history: HistoryState, time: number): EntryVersion | null | undefined {
  const inline = inlineVersionAt(history, time);
  if (inline) return inline;
  return history.pages.length > 0 ? undefined : null;
}
