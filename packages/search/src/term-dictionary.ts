import { grown } from './bytes.js';
import { utf16Rank, wordHash } from './word-bytes.js';
import type { WordPatternKind } from './word-patterns.js';

const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder();

/**
 * Distinct words held as UTF-8 bytes in one buffer, numbered 0, 1, ... on first sight, found again
 * through an open-addressing hash table: interning a word makes no string and no object.
 */
export class TermDictionary {
  private bytes = new Uint8Array(64 * 1024);
  private used = 0;
  /** Byte range of term `t`: `ends[t - 1] .. ends[t]` (0 for the first). */
  private ends = new Uint32Array(1024);
  private hashes = new Uint32Array(1024);
  /** Per slot: term number + 1 (0: empty), then the term's hash (one cache line for both). */
  private slots = new Int32Array(2 * 2048);
  private slotMask = 2048 - 1;
  size = 0;

  /** The number of the word `text[start, end)` with hash `hash` (see `wordHash`), added if new. */
  intern(text: Uint8Array, start: number, end: number, hash: number): number {
    const slot = this.slotOf(text, start, end, hash);
    const found = (this.slots[2 * slot] as number) - 1;
    return found >= 0 ? found : this.insert(slot, text, start, end, hash);
  }

  /** The number of `word`, or -1. */
  find(word: string): number {
    const bytes = utf8Encoder.encode(word);
    return (this.slots[2 * this.slotOf(bytes, 0, bytes.length, wordHash(bytes))] as number) - 1;
  }

  /** Numbers of the terms starting with `prefix`. */
  withPrefix(prefix: string): number[] {
    const wanted = utf8Encoder.encode(prefix);
    const out: number[] = [];
    for (let term = 0; term < this.size; term++) {
      const from = this.start(term);
      if ((this.ends[term] as number) - from < wanted.length) continue;
      let i = 0;
      while (i < wanted.length && this.bytes[from + i] === wanted[i]) i++;
      if (i === wanted.length) out.push(term);
    }
    return out;
  }

  /**
   * Numbers of the terms holding `needle` (UTF-8) as the pattern kind says (see `WordPatternKind`),
   * or `undefined` once more than `max` do. One scan of all terms' bytes together.
   */
  matching(needle: Uint8Array, kind: WordPatternKind, max: number): number[] | undefined {
    const out: number[] = [];
    if (needle.length === 0) return out;
    const all = Buffer.from(this.bytes.buffer, this.bytes.byteOffset, this.used);
    let from = 0;
    for (;;) {
      const at = all.indexOf(needle, from);
      if (at < 0) return out;
      const term = this.termAt(at);
      const start = this.start(term);
      const end = this.ends[term] as number;
      const stop = at + needle.length;
      if (stop > end || ((kind === 'suffix' || kind === 'exact') && stop !== end)) {
        // Runs into the next term, or does not end this one: a later occurrence in this term may.
        from = at + 1;
        continue;
      }
      if ((kind === 'prefix' || kind === 'exact') && at !== start) {
        from = end;
        continue;
      }
      out.push(term);
      if (out.length > max) return undefined;
      from = end;
    }
  }

  /** The term whose bytes hold offset `at` (terms' bytes are consecutive, in term order). */
  private termAt(at: number): number {
    let low = 0;
    let high = this.size;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if ((this.ends[middle] as number) <= at) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  /** The UTF-8 bytes of a term (a view: valid until the next `intern`). */
  termBytes(term: number): Uint8Array {
    return this.bytes.subarray(this.start(term), this.ends[term]);
  }

  term(term: number): string {
    return utf8Decoder.decode(this.termBytes(term));
  }

  /** Every term number, ordered as the terms' strings compare (UTF-16 code units). */
  sorted(): Uint32Array {
    const order = new Uint32Array(this.size);
    // First four ranks of each term as one number: most comparisons end there.
    const heads = new Uint32Array(this.size);
    for (let term = 0; term < this.size; term++) {
      order[term] = term;
      const from = this.start(term);
      const length = (this.ends[term] as number) - from;
      let head = 0;
      for (let i = 0; i < 4; i++)
        head = head * 256 + (i < length ? utf16Rank(this.bytes[from + i] as number) : 0);
      heads[term] = head;
    }
    return order.sort((a, b) => {
      const headA = heads[a] as number;
      const headB = heads[b] as number;
      return headA !== headB ? headA - headB : this.compareTails(a, b);
    });
  }

  /** Compares two terms with equal first four bytes (words hold no zero byte: shorter sorts first). */
  private compareTails(a: number, b: number): number {
    const fromA = this.start(a);
    const fromB = this.start(b);
    const lengthA = (this.ends[a] as number) - fromA;
    const lengthB = (this.ends[b] as number) - fromB;
    const common = Math.min(lengthA, lengthB);
    for (let i = 4; i < common; i++) {
      const x = this.bytes[fromA + i] as number;
      const y = this.bytes[fromB + i] as number;
      if (x !== y) return utf16Rank(x) - utf16Rank(y);
    }
    return lengthA - lengthB;
  }

  /** The slot holding the word `text[start, end)`, or the empty slot where it would go. */
  private slotOf(text: Uint8Array, start: number, end: number, hash: number): number {
    const slots = this.slots;
    const mask = this.slotMask;
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const found = (slots[2 * slot] as number) - 1;
      if (found < 0 || (slots[2 * slot + 1] === hash && this.equals(found, text, start, end))) return slot;
    }
  }

  private start(term: number): number {
    return term === 0 ? 0 : (this.ends[term - 1] as number);
  }

  private equals(term: number, text: Uint8Array, start: number, end: number): boolean {
    const from = this.start(term);
    if ((this.ends[term] as number) - from !== end - start) return false;
    for (let i = 0; i < end - start; i++) if (this.bytes[from + i] !== text[start + i]) return false;
    return true;
  }

  private insert(slot: number, text: Uint8Array, start: number, end: number, hash: number): number {
    const term = this.size++;
    const length = end - start;
    if (this.used + length > this.bytes.length) this.bytes = grown(this.bytes, this.used + length);
    this.bytes.set(text.subarray(start, end), this.used);
    this.used += length;
    if (term === this.ends.length) {
      this.ends = grown(this.ends, term + 1);
      this.hashes = grown(this.hashes, term + 1);
    }
    this.ends[term] = this.used;
    this.hashes[term] = hash;
    this.slots[2 * slot] = term + 1;
    this.slots[2 * slot + 1] = hash;
    if (this.size * 2 > this.slotMask) this.rehash();
    return term;
  }

  private rehash(): void {
    const mask = 2 * this.slotMask + 1;
    const slots = new Int32Array(2 * (mask + 1));
    for (let term = 0; term < this.size; term++) {
      const hash = this.hashes[term] as number;
      let slot = hash & mask;
      while (slots[2 * slot] !== 0) slot = (slot + 1) & mask;
      slots[2 * slot] = term + 1;
      slots[2 * slot + 1] = hash;
    }
    this.slots = slots;
    this.slotMask = mask;
  }
}
