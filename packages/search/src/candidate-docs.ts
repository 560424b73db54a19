import type { Segment, TrigramList } from './segment.js';
import { type PlacedTrigram, rotateRight } from './trigrams.js';

/**
 * Documents of a segment that may hold every literal run of the query: they have all its trigrams
 * (lists fetched together: one range read each, or none when cached) at positions that agree with
 * the runs (see `PositionMask`). One pass per list, rarest first: each list is searched by
 * galloping from the previous document's place, and a document is dropped as soon as its masks
 * rule a run out, so the work follows the shrinking candidates, not the lengths of common lists.
 */
export async function candidateDocs(
  segment: Segment,
  runs: readonly PlacedTrigram[][],
): Promise<ArrayLike<number>> {
  const keys = [...new Set(runs.flatMap((run) => run.map((placed) => placed.key)))];
  const weighted = keys.map((key) => ({ key, weight: segment.trigramWeight(key) }));
  if (weighted.length === 0) return Uint32Array.from({ length: segment.docs.length }, (_, doc) => doc);
  if (weighted.some((item) => item.weight === 0)) return [];
  weighted.sort((a, b) => a.weight - b.weight);
  const lists = await Promise.all(weighted.map((item) => segment.trigramPostings(item.key)));
  const shifts = weighted.map((item) => shiftsOf(item.key, runs));

  const first = lists[0] as TrigramList;
  const docs = first.docs.slice();
  // Per surviving document (row) and run, the mask bits still possible for the run (see `masksAlign`).
  const common = new Uint8Array(docs.length * runs.length).fill(0xff);
  let count = 0;
  for (let d = 0; d < docs.length; d++) {
    if (narrowInto(common, d, count, runs.length, first.masks[d] as number, shifts[0] as number[]))
      docs[count++] = docs[d] as number;
  }
  for (let l = 1; l < lists.length && count > 0; l++) {
    const list = lists[l] as TrigramList;
    let kept = 0;
    let at = 0;
    for (let d = 0; d < count; d++) {
      const doc = docs[d] as number;
      at = seek(list.docs, doc, at);
      if (at === list.docs.length) break;
      if (list.docs[at] !== doc) continue;
      if (narrowInto(common, d, kept, runs.length, list.masks[at] as number, shifts[l] as number[]))
        docs[kept++] = doc;
    }
    count = kept;
  }
  return docs.subarray(0, count);
}

/** For one trigram, `[run, shift]` pairs flattened: where it sits (mod 8) in each run of two or more trigrams. */
function shiftsOf(key: number, runs: readonly PlacedTrigram[][]): number[] {
  const shifts: number[] = [];
  runs.forEach((run, r) => {
    if (run.length < 2) return;
    for (const placed of run) if (placed.key === key) shifts.push(r, placed.offset & 7);
  });
  return shifts;
}

/**
 * Moves the run masks of row `from` to row `to` (rows only move down, as documents drop out) and
 * narrows them by a trigram's mask at each of its shifts; false when a run can no longer be placed.
 */
function narrowInto(
  common: Uint8Array,
  from: number,
  to: number,
  runCount: number,
  mask: number,
  shifts: readonly number[],
): boolean {
  if (from !== to)
    for (let r = 0; r < runCount; r++) common[to * runCount + r] = common[from * runCount + r] as number;
  for (let i = 0; i < shifts.length; i += 2) {
    const cell = to * runCount + (shifts[i] as number);
    const shift = shifts[i + 1] as number;
    const narrowed = (common[cell] as number) & rotateRight(mask, shift);
    if (narrowed === 0) return false;
    common[cell] = narrowed;
  }
  return true;
}

/** The first index at or after `from` whose value is at least `value` (galloping, then binary search). */
function seek(sorted: Uint32Array, value: number, from: number): number {
  const length = sorted.length;
  if (from >= length || (sorted[from] as number) >= value) return from;
  let low = from;
  let step = 1;
  while (low + step < length && (sorted[low + step] as number) < value) {
    low += step;
    step *= 2;
  }
  let high = Math.min(low + step, length);
  low += 1;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((sorted[middle] as number) < value) low = middle + 1;
    else high = middle;
  }
  return low;
}
