import type { Entry } from '@datalake/model';
import type { Cursor } from './cursor.js';

/**
 * Code units from which code-unit order (the host's `entriesInPathOrder`) and UTF-8 byte order (the
 * order of hits) can disagree: they differ only where two paths first differ at two such units.
 */
const ORDER_SENSITIVE = /[\ud800-\uffff]/;

/**
 * Candidates of a dense set, taken in page order by walking every entry in path order from the
 * cursor on and keeping those `isCandidate` accepts (given each entry and its position): no per-candidate sorting, and the walk stops
 * as soon as the page is full. Should a path appear on which the two orders might disagree (the
 * cursor's, or a candidate's), the walk ends early with `diverged` set and the caller must page
 * some other way.
 */
export class PathWalk {
  private at: number;
  private divergedAt = false;

  constructor(
    private readonly ordered: readonly Entry[],
    cursor: Cursor | undefined,
    private readonly isCandidate: (entry: Entry, position: number) => boolean,
  ) {
    if (cursor === undefined) this.at = 0;
    else if (ORDER_SENSITIVE.test(cursor.filePath)) {
      this.at = ordered.length;
      this.divergedAt = true;
    } else this.at = firstAfter(ordered, cursor.filePath);
  }

  /** Whether the walk stopped on a path where its order may not be the order of hits. */
  get diverged(): boolean {
    return this.divergedAt;
  }

  /** The next candidate in path order, or `undefined` when there are no more (or the walk diverged). */
  next(): Entry | undefined {
    const ordered = this.ordered;
    while (this.at < ordered.length) {
      const position = this.at++;
      const entry = ordered[position] as Entry;
      if (!this.isCandidate(entry, position)) continue;
      if (ORDER_SENSITIVE.test(entry.filePath)) {
        this.at = ordered.length;
        this.divergedAt = true;
        return undefined;
      }
      return entry;
    }
    return undefined;
  }
}

/** Index of the first entry whose path is after `filePath` in code-unit order. */
function firstAfter(ordered: readonly Entry[], filePath: string): number {
  let low = 0;
  let high = ordered.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((ordered[middle] as Entry).filePath <= filePath) low = middle + 1;
    else high = middle;
  }
  return low;
}
