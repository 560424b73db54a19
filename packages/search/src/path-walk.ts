import { compareKeys, type Entry } from '@datalake/model';
import type { Cursor } from './cursor.js';

/**
 * Candidates of a dense set, taken in page order by walking every entry in path order (the host's
 * `entriesInPathOrder`, in key order as the hits are) from the cursor on and keeping those
 * `isCandidate` accepts (given each entry and its position): no per-candidate sorting, and the walk
 * stops as soon as the page is full.
 */
export class PathWalk {
  private at: number;

  constructor(
    private readonly ordered: readonly Entry[],
    cursor: Cursor | undefined,
    private readonly isCandidate: (entry: Entry, position: number) => boolean,
  ) {
    this.at = cursor === undefined ? 0 : firstAfter(ordered, cursor.filePath);
  }

  /** The next candidate in path order, or `undefined` when there are no more. */
  next(): Entry | undefined {
    const ordered = this.ordered;
    while (this.at < ordered.length) {
      const position = this.at++;
      const entry = ordered[position] as Entry;
      if (this.isCandidate(entry, position)) return entry;
    }
    return undefined;
  }
}

/** Index of the first entry whose path is after `filePath` in key order. */
function firstAfter(ordered: readonly Entry[], filePath: string): number {
  let low = 0;
  let high = ordered.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (compareKeys((ordered[middle] as Entry).filePath, filePath) <= 0) low = middle + 1;
    else high = middle;
  }
  return low;
}
