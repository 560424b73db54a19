const utf8 = new TextEncoder();
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Distinct byte trigrams (`b0 << 16 | b1 << 8 | b2`) of UTF-8 text, via a reusable seen-bitmap. */
export class TrigramCollector {
  private readonly seen = new Uint8Array(1 << 21);

  collect(bytes: Uint8Array, into: number[]): void {
    const start = into.length;
    const seen = this.seen;
    for (let i = 0; i + 2 < bytes.length; i++) {
      const key = ((bytes[i] as number) << 16) | ((bytes[i + 1] as number) << 8) | (bytes[i + 2] as number);
      const bit = 1 << (key & 7);
      const slot = key >>> 3;
      if ((seen[slot] as number) & bit) continue;
      seen[slot] = (seen[slot] as number) | bit;
      into.push(key);
    }
    for (let i = start; i < into.length; i++) seen[(into[i] as number) >>> 3] = 0;
  }
}

/**
 * Trigrams every match of the literal runs must contain (runs are already case-folded). Runs are
 * split at lone surrogates, whose UTF-8 form would not appear in the indexed text.
 */
export function literalTrigrams(runs: readonly string[]): number[] {
  const keys = new Set<number>();
  for (const run of runs) {
    for (const piece of run.split(LONE_SURROGATE)) {
      const bytes = utf8.encode(piece);
      for (let i = 0; i + 2 < bytes.length; i++)
        keys.add(((bytes[i] as number) << 16) | ((bytes[i + 1] as number) << 8) | (bytes[i + 2] as number));
    }
  }
  return [...keys];
}
