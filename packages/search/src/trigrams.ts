import { grown } from './bytes.js';

const utf8 = new TextEncoder();
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * Positions of a trigram in a document, reduced to one bit per byte offset modulo 8. Two query
 * trigrams `d` bytes apart can only belong to one match where the first one's mask, rotated by
 * `d`, shares a bit with the second one's (as in Zoekt), which rules out many candidates that hold
 * every trigram of the query but not next to each other.
 */
export type PositionMask = number;

const KEPT_KEYS = 1 << 20;

/**
 * Distinct byte trigrams (`b0 << 16 | b1 << 8 | b2`) of UTF-8 text with their position masks, in
 * buffers reused from one text to the next.
 */
export class TrigramCollector {
  /** Position mask per trigram seen so far in the current text (0: not seen). */
  private readonly seen = new Uint8Array(1 << 24);
  /** The trigrams of the last text collected, in order of first occurrence (`count` of them). */
  keys = new Uint32Array(4096);
  /** The position mask of each of `keys`. */
  masks = new Uint8Array(4096);
  count = 0;

  collect(bytes: Uint8Array): void {
    // Buffers grown for an exceptionally large text are not kept for the next ones.
    if (this.keys.length > KEPT_KEYS) {
      this.keys = new Uint32Array(4096);
      this.masks = new Uint8Array(4096);
    }
    const seen = this.seen;
    let keys = this.keys;
    let count = 0;
    let key = ((bytes[0] ?? 0) << 8) | (bytes[1] ?? 0);
    let i = 2;
    while (i < bytes.length) {
      if (count === keys.length) {
        keys = grown(keys, count + 1);
        this.keys = keys;
      }
      // Each byte adds at most one trigram: up to `stop`, `keys` cannot overflow.
      const stop = Math.min(bytes.length, i + keys.length - count);
      for (; i < stop; i++) {
        key = ((key << 8) | (bytes[i] as number)) & 0xffffff;
        const mask = seen[key] as number;
        if (mask === 0) keys[count++] = key;
        seen[key] = mask | (1 << ((i - 2) & 7));
      }
    }
    if (this.masks.length < keys.length) this.masks = new Uint8Array(keys.length);
    const masks = this.masks;
    for (let i = 0; i < count; i++) {
      key = keys[i] as number;
      masks[i] = seen[key] as number;
      seen[key] = 0;
    }
    this.count = count;
  }
}

/** One trigram of a literal run, at its byte offset within the run. */
export interface PlacedTrigram {
  key: number;
  offset: number;
}

/**
 * Trigrams every match of the literal runs must contain (runs are already case-folded), per run
 * with their offsets. Runs are split at lone surrogates, whose UTF-8 form would not appear in the
 * indexed text.
 */
export function literalTrigramRuns(runs: readonly string[]): PlacedTrigram[][] {
  const out: PlacedTrigram[][] = [];
  for (const run of runs) {
    for (const piece of run.split(LONE_SURROGATE)) {
      const bytes = utf8.encode(piece);
      const placed: PlacedTrigram[] = [];
      for (let i = 0; i + 2 < bytes.length; i++) {
        const key = ((bytes[i] as number) << 16) | ((bytes[i + 1] as number) << 8) | (bytes[i + 2] as number);
        placed.push({ key, offset: i });
      }
      if (placed.length > 0) out.push(placed);
    }
  }
  return out;
}

/** Whether trigrams with these masks can sit at these offsets of one run (a necessary condition). */
export function masksAlign(masks: ArrayLike<number>, offsets: readonly number[]): boolean {
  let common = 0xff;
  for (let i = 0; i < offsets.length && common !== 0; i++)
    common &= rotateRight(masks[i] as number, (offsets[i] as number) & 7);
  return common !== 0;
}

/** The 8-bit position mask rotated right by `by` (0 to 7) places. */
export function rotateRight(mask: number, by: number): number {
  return ((mask >>> by) | (mask << (8 - by))) & 0xff;
}
