import { compareByPath, compareKeys, type Entry } from '@datalake/model';

/**
 * Every entry ordered by `filePath` in key order (`compareKeys`, UTF-8 byte order), so that a listing under a path prefix is a binary search plus a
 * walk over just the results. Until the first read, additions are batched and sorted at once (a
 * bulk load costs O(N log N) once). From then on, the lake lives: an addition is placed by binary
 * search among the few recent ones, which are merged into the whole at write time once there are
 * more than `recentLimit`, or √n, of them (a merge copies all n entries: waiting for √n additions
 * keeps both the merges and the placing among recent ones at O(√n) an addition). A read then merges
 * at most that many, however many entries were added since the previous read, and costs
 * O(n + √n log n) once, then O(log n + results).
 */
export class SortedEntries {
  private sorted: Entry[] = [];
  /** Additions before the first read, in the order they came. */
  private added: Entry[] = [];
  /** Additions since the lake was first read, not merged into `sorted` yet, ordered like it. */
  private readonly recent: Entry[] = [];
  private readonly removed = new Set<Entry>();
  private live = false;

  /** `recentLimit`: recent additions merged into the whole at write time (see above). */
  constructor(private readonly recentLimit = RECENT_LIMIT) {}

  add(entry: Entry): void {
    if (!this.live) {
      this.added.push(entry);
      return;
    }
    this.recent.splice(upperBound(this.recent, entry.filePath), 0, entry);
    if (this.recent.length > this.pendingLimit()) this.settle();
  }

  /** `entry` must be the very object that was added. */
  remove(entry: Entry): void {
    const recent = this.recent;
    for (let at = lowerBound(recent, entry.filePath); at < recent.length; at++) {
      const candidate = recent[at] as Entry;
      if (candidate.filePath !== entry.filePath) break;
      if (candidate === entry) {
        recent.splice(at, 1);
        return;
      }
    }
    this.removed.add(entry);
    if (this.live && this.removed.size > this.pendingLimit()) this.settle();
  }

  /** Recent additions (or removals) held before they are merged into the whole. */
  private pendingLimit(): number {
    return Math.max(this.recentLimit, Math.sqrt(this.sorted.length));
  }

  /** Entries whose `filePath` starts with `prefix`, in order; `direct` keeps only those with no further '/'. */
  withPrefix(prefix: string, direct: boolean): Entry[] {
    this.settle();
    const start = lowerBound(this.sorted, prefix);
    const end = endOfPrefix(this.sorted, prefix, start);
    if (!direct) return this.sorted.slice(start, end);
    const out: Entry[] = [];
    for (let index = start; index < end; index++) {
      const entry = this.sorted[index] as Entry;
      if (entry.filePath.indexOf('/', prefix.length) === -1) out.push(entry);
    }
    return out;
  }

  /** Every entry in `filePath` order. The array is shared: do not modify it. */
  all(): readonly Entry[] {
    this.settle();
    return this.sorted;
  }

  /** Merges pending additions and removals (done lazily by reads; callable after a bulk load). */
  settle(): void {
    this.live = true;
    if (this.added.length === 0 && this.recent.length === 0 && this.removed.size === 0) return;
    const fresh =
      this.added.length > 0
        ? this.added.filter((entry) => !this.removed.has(entry)).sort(byFilePath)
        : this.recent;
    // A few changes are placed by binary search (no comparison of every path), many by a merge.
    if (fresh.length + this.removed.size <= FEW_CHANGES)
      this.sorted = placed(this.sorted, fresh, this.removed);
    else {
      const kept =
        this.removed.size === 0 ? this.sorted : this.sorted.filter((entry) => !this.removed.has(entry));
      this.sorted = fresh.length === 0 ? kept : merge(kept, fresh);
    }
    this.added = [];
    this.recent.length = 0;
    this.removed.clear();
  }
}

/** Recent additions (or removals) merged into the whole at write time (see `SortedEntries`). */
const RECENT_LIMIT = 64;

/** Changes up to this many are placed one by one (see `placed`). */
const FEW_CHANGES = 32;

/**
 * A copy of `sorted` without the `removed` entries and with the `fresh` ones (ordered) inserted
 * after any entry of the same path, as `merge` orders them. Readers keep the array they were given.
 */
function placed(sorted: readonly Entry[], fresh: readonly Entry[], removed: ReadonlySet<Entry>): Entry[] {
  const out = sorted.slice();
  for (const entry of removed) {
    for (let at = lowerBound(out, entry.filePath); at < out.length; at++) {
      const candidate = out[at] as Entry;
      if (candidate.filePath !== entry.filePath) break;
      if (candidate === entry) {
        out.splice(at, 1);
        break;
      }
    }
  }
  for (const entry of fresh) out.splice(upperBound(out, entry.filePath), 0, entry);
  return out;
}

const byFilePath = compareByPath;

/**
 * Merges a few ordered entries into many: each is placed by binary search and the runs between are
 * copied whole, so the cost is a comparison per step of the searches, not one per entry of `left`.
 * On equal paths the entries of `left` come first.
 */
function merge(left: readonly Entry[], right: readonly Entry[]): Entry[] {
  const out = new Array<Entry>(left.length + right.length);
  let from = 0;
  let k = 0;
  for (const entry of right) {
    const at = upperBound(left, entry.filePath, from);
    for (let i = from; i < at; i++) out[k++] = left[i] as Entry;
    out[k++] = entry;
    from = at;
  }
  for (let i = from; i < left.length; i++) out[k++] = left[i] as Entry;
  return out;
}

/** First index at or after `from` whose path does not start with `prefix` (those that do are contiguous). */
function endOfPrefix(sorted: Entry[], prefix: string, from: number): number {
  let low = from;
  let high = sorted.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((sorted[middle] as Entry).filePath.startsWith(prefix)) low = middle + 1;
    else high = middle;
  }
  return low;
}

function upperBound(sorted: readonly Entry[], path: string, from = 0): number {
  let low = from;
  let high = sorted.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (compareKeys((sorted[middle] as Entry).filePath, path) <= 0) low = middle + 1;
    else high = middle;
  }
  return low;
}

function lowerBound(sorted: readonly Entry[], path: string): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (compareKeys((sorted[middle] as Entry).filePath, path) < 0) low = middle + 1;
    else high = middle;
  }
  return low;
}
