import { asBuffer, TIMELINE_FORMAT, TIMELINE_MAGIC } from './timeline-file.js';

const HEADER_BYTES = 8 + 4 + 4 + 4;
/** Per record: start, end, id start, id length, etag start, etag length (the table or sum follows the etag). */
const FIELDS = 6;

/**
 * A loaded timeline file's records, found by id without a string or an object per record: their
 * offsets in one typed array and an open-addressing hash table of their ids. Loading walks the
 * record headers only; a lookup hashes and compares the id's bytes in place, and tells whether the
 * record's etag is the one the caller holds. The first record of an id wins, as a reader of the
 * file in order would see it.
 */
export class TimelineTable {
  private readonly fields: Int32Array;
  /** Record index + 1 by id hash slot; 0 is empty. */
  private readonly slots: Int32Array;
  private readonly mask: number;
  readonly liveCount: number;
  readonly count: number;

  private constructor(
    readonly bytes: Buffer,
    liveCount: number,
    count: number,
  ) {
    this.liveCount = liveCount;
    this.count = count;
    this.fields = new Int32Array(count * FIELDS);
    let size = 16;
    while (size < count * 2) size *= 2;
    this.slots = new Int32Array(size);
    this.mask = size - 1;
  }

  /** The table of a timeline file, or undefined when it is none of this format (or its structure is damaged). */
  static read(input: Uint8Array): TimelineTable | undefined {
    const bytes = asBuffer(input);
    if (bytes.byteLength < HEADER_BYTES) return undefined;
    if (bytes.toString('latin1', 0, 8) !== TIMELINE_MAGIC) return undefined;
    if (bytes.readUInt32LE(8) !== TIMELINE_FORMAT) return undefined;
    const liveCount = bytes.readUInt32LE(12);
    const count = liveCount + bytes.readUInt32LE(16);
    // Every record takes at least 8 bytes: a count beyond that is damage, not an allocation to make.
    if (count * 8 > bytes.byteLength) return undefined;
    const table = new TimelineTable(bytes, liveCount, count);
    let at = HEADER_BYTES;
    for (let index = 0; index < count; index++) {
      const end = table.place(index, at);
      if (end < 0) return undefined;
      at = end;
    }
    return at === bytes.byteLength ? table : undefined;
  }

  /** Reads the header of record `index` at `start` and files it; its end, or -1 when damaged. */
  private place(index: number, start: number): number {
    const { bytes } = this;
    if (start + 8 > bytes.byteLength) return -1;
    const end = start + 4 + bytes.readUInt32LE(start);
    if (end > bytes.byteLength) return -1;
    const idLength = bytes.readUInt16LE(start + 4);
    const idStart = start + 6;
    if (idStart + idLength + 2 > end) return -1;
    const etagLength = bytes.readUInt16LE(idStart + idLength);
    const etagStart = idStart + idLength + 2;
    if (etagStart + etagLength + 4 > end) return -1;
    const at = index * FIELDS;
    const { fields } = this;
    fields[at] = start;
    fields[at + 1] = end;
    fields[at + 2] = idStart;
    fields[at + 3] = idLength;
    fields[at + 4] = etagStart;
    fields[at + 5] = etagLength;
    const live = index < this.liveCount;
    let slot = hashBytes(bytes, idStart, idStart + idLength) & this.mask;
    for (;;) {
      const held = this.slots[slot] as number;
      if (held === 0) {
        this.slots[slot] = index + 1;
        return end;
      }
      // A later record of the same id (and kind) is ignored.
      if (held - 1 < this.liveCount === live && this.sameIdAs(held - 1, idStart, idLength)) return end;
      slot = (slot + 1) & this.mask;
    }
  }

  /** The index of the live (or deleted) record of `id`, or -1. */
  find(id: string, live: boolean): number {
    const { bytes, fields } = this;
    let slot = hashString(id) & this.mask;
    for (;;) {
      const held = this.slots[slot] as number;
      if (held === 0) return -1;
      const index = held - 1;
      if (index < this.liveCount === live && fields[index * FIELDS + 3] === id.length) {
        const idStart = fields[index * FIELDS + 2] as number;
        let same = true;
        for (let offset = 0; offset < id.length; offset++) {
          if (bytes[idStart + offset] !== id.charCodeAt(offset)) {
            same = false;
            break;
          }
        }
        if (same) return index;
      }
      slot = (slot + 1) & this.mask;
    }
  }

  /** Whether record `index` was written for the record with `etag`. */
  hasEtag(index: number, etag: string): boolean {
    const { bytes, fields } = this;
    const start = fields[index * FIELDS + 4] as number;
    const length = fields[index * FIELDS + 5] as number;
    if (length < etag.length) return false;
    for (let offset = 0; offset < etag.length; offset++) {
      const code = etag.charCodeAt(offset);
      if (code >= 0x80) return bytes.toString('utf8', start, start + length) === etag;
      if (bytes[start + offset] !== code) return false;
    }
    return length === etag.length;
  }

  start(index: number): number {
    return this.fields[index * FIELDS] as number;
  }

  end(index: number): number {
    return this.fields[index * FIELDS + 1] as number;
  }

  /** Where the record's table sum (live) or body sum (deleted) lies: just after its etag. */
  afterNames(index: number): number {
    return (this.fields[index * FIELDS + 4] as number) + (this.fields[index * FIELDS + 5] as number);
  }

  id(index: number): string {
    const at = index * FIELDS;
    const start = this.fields[at + 2] as number;
    return this.bytes.toString('latin1', start, start + (this.fields[at + 3] as number));
  }

  etag(index: number): string {
    const at = index * FIELDS;
    const start = this.fields[at + 4] as number;
    return this.bytes.toString('utf8', start, start + (this.fields[at + 5] as number));
  }

  /** Whether record `index` is the first of its id (and kind), the one `find` answers. */
  isFirstOfId(index: number): boolean {
    return this.find(this.id(index), index < this.liveCount) === index;
  }

  private sameIdAs(index: number, idStart: number, idLength: number): boolean {
    const { bytes, fields } = this;
    if (fields[index * FIELDS + 3] !== idLength) return false;
    const otherStart = fields[index * FIELDS + 2] as number;
    for (let offset = 0; offset < idLength; offset++)
      if (bytes[idStart + offset] !== bytes[otherStart + offset]) return false;
    return true;
  }
}

function hashBytes(bytes: Uint8Array, start: number, end: number): number {
  let hash = 0x811c9dc5;
  for (let at = start; at < end; at++) hash = Math.imul(hash ^ (bytes[at] as number), 0x01000193);
  return mixed(hash);
}

/** `hashBytes` of the latin1 bytes of `text` (ids are ASCII). */
function hashString(text: string): number {
  let hash = 0x811c9dc5;
  for (let at = 0; at < text.length; at++) hash = Math.imul(hash ^ (text.charCodeAt(at) & 0xff), 0x01000193);
  return mixed(hash);
}

/** Spreads every input bit over the low bits, which pick the slot (FNV alone clusters there). */
function mixed(hash: number): number {
  let h = hash ^ (hash >>> 16);
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}
