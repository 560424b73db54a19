import { isDataType } from '../model/data-type.js';
import type { Entry, Metadata } from '../model/entry.js';
import { CorruptDataError } from '../model/errors.js';

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
}

/** The JSON document stored at `.claims/<hash of path>`: which entry owns a content path. */
export interface PathClaim {
  format: 1;
  id: string;
  filePath: string;
  writer: WriterTag;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

export function encodeJson(value: unknown): Uint8Array {
  return encoder.encode(JSON.stringify(value));
}

function parseJson(bytes: Uint8Array, what: string): unknown {
  try {
    return JSON.parse(decoder.decode(bytes));
  } catch (cause) {
    throw new CorruptDataError(`${what} is not valid JSON`, { cause });
  }
}

export function decodeEntryRecord(bytes: Uint8Array, key: string): EntryRecord {
  const value = parseJson(bytes, key) as Partial<EntryRecord> | null;
  const entry = value?.entry;
  if (
    value?.format !== 1 ||
    !entry ||
    typeof entry.id !== 'string' ||
    typeof entry.filePath !== 'string' ||
    !isDataType(entry.dataType) ||
    typeof entry.size !== 'number' ||
    typeof entry.sha256 !== 'string'
  ) {
    throw new CorruptDataError(`${key} is not an entry record`, { details: { key } });
  }
  return value as EntryRecord;
}

export function decodePathClaim(bytes: Uint8Array, key: string): PathClaim {
  const value = parseJson(bytes, key) as Partial<PathClaim> | null;
  if (value?.format !== 1 || typeof value.id !== 'string' || typeof value.filePath !== 'string') {
    throw new CorruptDataError(`${key} is not a path claim`, { details: { key } });
  }
  return value as PathClaim;
}
