/**
 * Merged segments stop growing once they would exceed this much indexed text (they stop at the
 * largest tier that fits): a merge holds its inputs' and its output's posting lists in memory, so
 * this bounds the memory it needs (about 0.4 bytes of postings per byte of text, twice).
 */
export const MERGE_LIMIT_BYTES = 256 * 1024 * 1024;

/**
 * Tiered merging: segments are grouped into size tiers growing by `factor` from the flush size, and
 * only `factor` segments of the same tier are merged together, into one of the next tier. Every
 * indexed byte is thus merged about log_factor(limit / flush) times, however large the lake grows
 * (merging the newest small segment into a big one at every flush would rewrite the index again
 * and again). Segments that reached the limit are merged again only once enough of their documents
 * were updated or deleted (sizes count live documents only) to drop them below it.
 *
 * Returns the segments to merge next, or `undefined` when no tier is full.
 */
export function mergeGroup<S>(
  segments: readonly S[],
  liveTextBytes: (segment: S) => number,
  flushBytes: number,
  factor: number,
): S[] | undefined {
  const merging = Math.max(2, factor);
  const finalTier = tierOf(MERGE_LIMIT_BYTES, flushBytes, merging);
  const tiers = new Map<number, Array<{ segment: S; textBytes: number }>>();
  for (const segment of segments) {
    const textBytes = liveTextBytes(segment);
    const tier = tierOf(textBytes, flushBytes, merging);
    if (tier >= finalTier) continue;
    const members = tiers.get(tier) ?? [];
    members.push({ segment, textBytes });
    tiers.set(tier, members);
  }
  for (const tier of [...tiers.keys()].sort((a, b) => a - b)) {
    const members = tiers.get(tier) ?? [];
    if (members.length < merging) continue;
    members.sort((a, b) => a.textBytes - b.textBytes);
    return members.slice(0, merging).map((member) => member.segment);
  }
  return undefined;
}

/** 0 up to `factor` flushes' worth of text, 1 up to `factor`², and so on. */
function tierOf(textBytes: number, flushBytes: number, factor: number): number {
  const flushes = textBytes / Math.max(1, flushBytes);
  return flushes < factor ? 0 : Math.floor(Math.log(flushes) / Math.log(factor) + 1e-9);
}
