const utf8 = new TextEncoder();
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * Positions of a trigram in a document, reduced to one bit per byte offset modulo 8. Two query
 * trigrams `d` bytes apart can only belong to one match where the first one's mask, rotated by
 * `d`, shares a bit with the second one's (as in Zoekt), which rules out many candidates that hold
 * every trigram of the query but not next to each other.
 */
export type PositionMask = number;

/** Distinct byte trigrams (`b0 << 16 | b1 << 8 | b2`) of UTF-8 text with their position masks. */
export class TrigramCollector {
  /** Position mask per trigram seen so far in the current text (0: not seen). */
  private readonly masks = new Uint8Array(1 << 24);

  collect(bytes: Uint8Array, keys: number[], masks: number[]): void {
    const start = keys.length;
    const seen = this.masks;
    for (let i = 0; i + 2 < bytes.length; i++) {
      const key = ((bytes[i] as number) << 16) | ((bytes[i + 1] as number) << 8) | (bytes[i + 2] as number);
      const mask = seen[key] as number;
      if (mask === 0) keys.push(key);
      seen[key] = mask | (1 << (i & 7));
    }
    for (let i = start; i < keys.length; i++) {
      const key = keys[i] as number;
      masks.push(seen[key] as number);
      seen[key] = 0;
    }
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

function rotateRight(mask: number, by: number): number {
  return ((mask >>> by) | (mask << (8 - by))) & 0xff;
}
