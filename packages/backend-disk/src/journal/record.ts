import { crc32 } from 'node:zlib';

/**
 * What a journal record says happened (or is about to happen) to one key. `stamp` is the write's
 * modification time in microseconds (as a decimal string): replaying never undoes a later write.
 */
export type JournalRecord =
  /** `create`: a conditional create (it never replaces an object that was there before it). */
  | { op: 'put'; key: string; stamp: string; body: Uint8Array; create?: boolean }
  /** A put logged before its conditional create, whose create then failed: never replay it. */
  | { op: 'cancel'; key: string; stamp: string }
  | { op: 'delete'; key: string; stamp: string };

/** "DLJ1", little-endian. */
const MAGIC = 0x314a4c44;
const HEAD_BYTES = 16;
const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/**
 * One record as bytes: magic, CRC-32 of the rest, header length, body length, the header (JSON of
 * op, key and stamp) and the body. A torn or never-written record fails the magic or the CRC.
 */
export function encodeRecord(record: JournalRecord): Uint8Array {
  const fields = { op: record.op, key: record.key, stamp: record.stamp };
  const header = encoder.encode(
    JSON.stringify(record.op === 'put' && record.create ? { ...fields, create: true } : fields),
  );
  const body = record.op === 'put' ? record.body : new Uint8Array(0);
  const bytes = new Uint8Array(HEAD_BYTES + header.byteLength + body.byteLength);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, MAGIC, true);
  view.setUint32(8, header.byteLength, true);
  view.setUint32(12, body.byteLength, true);
  bytes.set(header, HEAD_BYTES);
  bytes.set(body, HEAD_BYTES + header.byteLength);
  view.setUint32(4, crc32(bytes.subarray(8)), true);
  return bytes;
}

/** The whole records at the start of a journal file, up to the first torn, damaged or unwritten one. */
export function decodeRecords(file: Uint8Array): JournalRecord[] {
  const records: JournalRecord[] = [];
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  let at = 0;
  while (at + HEAD_BYTES <= file.byteLength && view.getUint32(at, true) === MAGIC) {
    const headerBytes = view.getUint32(at + 8, true);
    const bodyBytes = view.getUint32(at + 12, true);
    const end = at + HEAD_BYTES + headerBytes + bodyBytes;
    if (end > file.byteLength) break;
    if (crc32(file.subarray(at + 8, end)) !== view.getUint32(at + 4, true)) break;
    const record = parseRecord(file.subarray(at + HEAD_BYTES, at + HEAD_BYTES + headerBytes));
    if (!record) break;
    const { op, key, stamp } = record;
    if (op !== 'put') records.push({ op, key, stamp });
    else if (record.create)
      records.push({ op, key, stamp, body: file.slice(end - bodyBytes, end), create: true });
    else records.push({ op, key, stamp, body: file.slice(end - bodyBytes, end) });
    at = end;
  }
  return records;
}

function parseRecord(
  header: Uint8Array,
): { op: JournalRecord['op']; key: string; stamp: string; create: boolean } | undefined {
  try {
    const value = JSON.parse(decoder.decode(header)) as Record<string, unknown>;
    const { op, key, stamp } = value;
    if (op !== 'put' && op !== 'cancel' && op !== 'delete') return undefined;
    if (typeof key !== 'string' || typeof stamp !== 'string' || !/^\d+$/.test(stamp)) return undefined;
    return { op, key, stamp, create: value.create === true };
  } catch {
    return undefined;
  }
}
