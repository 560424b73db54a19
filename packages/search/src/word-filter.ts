import type { Segment } from './segment.js';
import { indexOfSorted } from './sorted-numbers.js';
import type { WordPattern } from './word-patterns.js';

/**
 * Words of one segment a pattern may match at most to be used: a pattern as common as that rules
 * out little, and reading the documents of its words costs more than it saves.
 */
export const MAX_PATTERN_WORDS = 64;

/**
 * The candidates (ascending document numbers) that the segment's words do not rule out: a document
 * whose words are complete (see `COMPLETE_WORDS_TERM`) goes unless, for every pattern, one of its
 * words matches. Ruling candidates out here spares reading their contents.
 */
export async function filterByWords(
  segment: Segment,
  candidates: ArrayLike<number>,
  patterns: readonly WordPattern[],
): Promise<ArrayLike<number>> {
  if (candidates.length === 0 || patterns.length === 0) return candidates;
  const complete = await segment.completeDocs();
  if (complete.length === 0) return candidates;
  const lists: Uint32Array[] = [];
  for (const list of await Promise.all(patterns.map((p) => segment.wordDocs(p, MAX_PATTERN_WORDS))))
    if (list) lists.push(list);
  if (lists.length === 0) return candidates;
  const kept = new Uint32Array(candidates.length);
  let count = 0;
  for (let i = 0; i < candidates.length; i++) {
    const doc = candidates[i] as number;
    if (indexOfSorted(complete, doc) < 0 || lists.every((list) => indexOfSorted(list, doc) >= 0))
      kept[count++] = doc;
  }
  return kept.subarray(0, count);
}
