import { ByteReader, grown } from './bytes.js';
import type { WordPatternKind } from './word-patterns.js';

const NEWLINE = 0x0a;

/**
 * A segment's words as one byte string, each word's UTF-8 between newlines (`\nw0\nw1\n…`), so
 * that the words matching a pattern are found by one native substring search over all of them.
 * Built from the front-coded word table of the segment's directory without making a string per word.
 */
export class WordTable {
  private constructor(
    private readonly bytes: Buffer,
    /** Where each word starts in `bytes` (after its newline); one more: the length of `bytes`. */
    private readonly starts: Uint32Array,
  ) {}

  /** Decodes the word table (shared UTF-16 prefix length, suffix length, suffix, list length per word). */
  static decode(table: Uint8Array, count: number, what: string): WordTable {
    const reader = new ByteReader(table, what);
    let out = new Uint8Array(table.length * 2 + 16);
    const starts = new Uint32Array(count + 1);
    out[0] = NEWLINE;
    let used = 1;
    let previous = 0;
    // Byte by byte: words are short, and typed-array calls per word would cost more than the copying.
    for (let word = 0; word < count; word++) {
      const sharedUnits = reader.varint();
      const length = reader.varint();
      const from = reader.offset;
      reader.skip(length);
      reader.varint();
      const shared = bytesOfUnits(out, previous, used - 1, sharedUnits);
      if (shared < 0) throw reader.corrupt('shared prefix longer than the previous word');
      if (used + shared + length + 1 > out.length) out = grown(out, used + shared + length + 1);
      starts[word] = used;
      for (let i = 0; i < shared; i++) out[used + i] = out[previous + i] as number;
      previous = used;
      used += shared;
      for (let i = 0; i < length; i++) out[used++] = table[from + i] as number;
      out[used++] = NEWLINE;
    }
    starts[count] = used;
    return new WordTable(Buffer.from(out.buffer, out.byteOffset, used), starts);
  }

  /** Numbers of the words holding `needle` (UTF-8) as `kind` says, ascending; `undefined` once more than `max` do. */
  matching(needle: Uint8Array, kind: WordPatternKind, max: number): number[] | undefined {
    const out: number[] = [];
    if (needle.length === 0) return out;
    const left = kind === 'prefix' || kind === 'exact';
    const right = kind === 'suffix' || kind === 'exact';
    const search = Buffer.alloc(needle.length + (left ? 1 : 0) + (right ? 1 : 0), NEWLINE);
    search.set(needle, left ? 1 : 0);
    let from = 0;
    for (;;) {
      const found = this.bytes.indexOf(search, from);
      if (found < 0) return out;
      // The needle holds no newline, so the match lies within one word (with its newlines, if asked for).
      const word = this.wordAt(left ? found + 1 : found);
      out.push(word);
      if (out.length > max) return undefined;
      from = (this.starts[word + 1] as number) - 1;
    }
  }

  /** The word whose bytes (or the newline after them) hold offset `at`. */
  private wordAt(at: number): number {
    let low = 0;
    let high = this.starts.length - 2;
    while (low < high) {
      const middle = (low + high + 1) >>> 1;
      if ((this.starts[middle] as number) <= at) low = middle;
      else high = middle - 1;
    }
    return low;
  }
}

/** Bytes of the first `units` UTF-16 code units of the UTF-8 text `bytes[from, end)`; -1 if it is shorter. */
function bytesOfUnits(bytes: Uint8Array, from: number, end: number, units: number): number {
  let at = from;
  let counted = 0;
  while (counted < units) {
    if (at >= end) return -1;
    const lead = bytes[at] as number;
    const width = lead < 0x80 ? 1 : lead < 0xe0 ? 2 : lead < 0xf0 ? 3 : 4;
    counted += width === 4 ? 2 : 1;
    at += width;
  }
  return at - from;
}
