import { grown } from './bytes.js';
import type { TrigramList } from './segment.js';
import { indexOfSorted } from './sorted-numbers.js';

/** Posting lists of many trigrams: `docs/masks[offsets[i] .. offsets[i + 1])` belong to `keys[i]`. */
interface PostingTable {
  keys: Uint32Array;
  offsets: Uint32Array;
  docs: Uint32Array;
  masks: Uint8Array;
}

/** Postings not grouped by key yet (parallel arrays). */
interface Postings {
  keys: Uint32Array;
  docs: Uint32Array;
  masks: Uint8Array;
}

const EMPTY: PostingTable = {
  keys: new Uint32Array(0),
  offsets: new Uint32Array(1),
  docs: new Uint32Array(0),
  masks: new Uint8Array(0),
};
const RADIX_BITS = 12;
/**
 * Pending postings sorted into a run as they are added (see `TrigramPostings`): a read sorts fewer
 * than this many, whatever the size of the builder.
 */
const DEFAULT_RUN_POSTINGS = 4096;
/** Runs of one tier merged at once (see `TrigramPostings`). */
const MERGE_FANOUT = 8;
const RADIX = 1 << RADIX_BITS;
/** Lists up to this long are copied by a loop rather than through views (see `copyLists`). */
const SHORT_COPY = 64;

/**
 * Trigram posting lists under construction. Adding appends a (trigram, document, position mask)
 * posting to a log, without any lookup; once `runPostings` of them wait, they are sorted by trigram
 * (a stable two-pass radix sort) into a sorted table of their own, a run, and runs are merged in
 * tiers: a new run is of tier 0, and `MERGE_FANOUT` runs of one tier are merged at once into one run
 * of the next, so each posting is copied about log₁₆ of the total times. That work is done as
 * postings are added, so a read only sorts the few postings added since the last run: its cost
 * stays bounded however much was added before it, and a builder holds a few runs per tier at most. Documents must be added in ascending order (a
 * document added after a read must be numbered above every document added before it), so every list
 * comes out ascending: runs hold ascending document ranges, oldest first.
 */
export class TrigramPostings {
  private pendingKeys: Uint32Array<ArrayBuffer>;
  private pendingDocs: Uint32Array<ArrayBuffer>;
  private pendingMasks: Uint8Array<ArrayBuffer>;
  private pending = 0;
  /** Sorted runs, oldest (lowest documents) first; see `sealed`. */
  private runs: PostingTable[] = [];
  /** The tier of each run (see the class comment): never rising from oldest to newest. */
  private tiers: number[] = [];
  /** Postings in `runs`. */
  private sealedCount = 0;
  private readonly runPostings: number;

  /**
   * `expected`: postings room to start with (growing is by doubling, which costs copies).
   * `runPostings`: pending postings sorted into a run as they are added (see the class comment).
   */
  constructor(expected = 4096, runPostings = DEFAULT_RUN_POSTINGS) {
    this.runPostings = Math.max(1, runPostings);
    const room = Math.max(1, Math.min(expected, this.runPostings));
    this.pendingKeys = new Uint32Array(room);
    this.pendingDocs = new Uint32Array(room);
    this.pendingMasks = new Uint8Array(room);
  }

  /** Number of (document, trigram) postings. */
  get size(): number {
    return this.sealedCount + this.pending;
  }

  /** Number of distinct trigrams. */
  get keyCount(): number {
    return this.whole().keys.length;
  }

  add(key: number, doc: number, mask: number): void {
    this.reserve(1);
    this.pendingKeys[this.pending] = key;
    this.pendingMasks[this.pending] = mask;
    this.pendingDocs[this.pending++] = doc;
    this.keepUp();
  }

  /** Lists `doc` under each of the first `count` `keys` (distinct 24-bit trigrams) with the matching position mask. */
  addAll(keys: ArrayLike<number>, masks: ArrayLike<number>, doc: number, count = keys.length): void {
    this.reserve(count);
    const pendingKeys = this.pendingKeys;
    const pendingDocs = this.pendingDocs;
    const pendingMasks = this.pendingMasks;
    let at = this.pending;
    for (let i = 0; i < count; i++) {
      pendingKeys[at] = keys[i] as number;
      pendingMasks[at] = masks[i] as number;
      pendingDocs[at++] = doc;
    }
    this.pending = at;
    this.keepUp();
  }

  /** Number of documents listed under `key`. */
  count(key: number): number {
    let total = 0;
    for (const { keys, offsets } of this.sealed()) {
      const at = indexOfSorted(keys, key);
      if (at >= 0) total += (offsets[at + 1] as number) - (offsets[at] as number);
    }
    return total;
  }

  /** Ascending documents listed under `key` with their masks (views or copies: do not modify). */
  list(key: number): TrigramList {
    const lists = this.sealed()
      .map((table) => listAt(table, indexOfSorted(table.keys, key)))
      .filter((list) => list.docs.length > 0);
    if (lists.length <= 1) return lists[0] ?? listAt(EMPTY, -1);
    const length = lists.reduce((sum, list) => sum + list.docs.length, 0);
    const docs = new Uint32Array(length);
    const masks = new Uint8Array(length);
    let filled = 0;
    for (const list of lists) {
      docs.set(list.docs, filled);
      masks.set(list.masks, filled);
      filled += list.docs.length;
    }
    return { docs, masks };
  }

  /**
   * Visits every trigram in ascending order with its documents and masks: `docs/masks[from .. to)`
   * (shared arrays, so that visiting makes no object per trigram; do not modify).
   */
  forEach(
    visit: (key: number, docs: Uint32Array, masks: Uint8Array, from: number, to: number) => void,
  ): void {
    const { keys, offsets, docs, masks } = this.whole();
    for (let i = 0; i < keys.length; i++)
      visit(keys[i] as number, docs, masks, offsets[i] as number, offsets[i + 1] as number);
  }

  /**
   * Sorts postings added since the last run into a run of their own once at least `minimum` of them
   * wait. An addition (`keepUp`) then merges full tiers of runs; a read (the default
   * `minimum`) merges none, so that a read right after an addition costs the few postings added
   * since the last run, not merges of earlier ones: those are left to the next addition.
   */
  sealPending(minimum = 1): void {
    if (this.pending >= minimum && this.pending > 0) {
      const pending = { keys: this.pendingKeys, docs: this.pendingDocs, masks: this.pendingMasks };
      this.runs.push(tableOf(pending, this.pending));
      this.tiers.push(0);
      this.sealedCount += this.pending;
      // The run keeps views of the pending buffers: later postings go to new ones.
      const room = Math.min(this.pendingKeys.length, this.runPostings);
      this.pendingKeys = new Uint32Array(room);
      this.pendingDocs = new Uint32Array(room);
      this.pendingMasks = new Uint8Array(room);
      this.pending = 0;
    }
    if (minimum > 1) this.mergeRuns();
  }

  /** Seals a full log into a run and merges the tiers that are full (after additions). */
  private keepUp(): void {
    this.sealPending(this.pending >= this.runPostings ? this.runPostings : Number.POSITIVE_INFINITY);
  }

  /** Merges the newest `MERGE_FANOUT` runs into one of the next tier while they share a tier. */
  private mergeRuns(): void {
    const { runs, tiers } = this;
    while (runs.length >= MERGE_FANOUT) {
      const first = runs.length - MERGE_FANOUT;
      const tier = tiers[first] as number;
      if (tiers[runs.length - 1] !== tier) return;
      runs.splice(first, MERGE_FANOUT, mergeTables(runs.slice(first)));
      tiers.splice(first, MERGE_FANOUT, tier + 1);
    }
  }

  /** The runs, with every posting added so far in one of them. */
  private sealed(): readonly PostingTable[] {
    this.sealPending();
    return this.runs;
  }

  /** Every posting in one table (merging the runs for good). */
  private whole(): PostingTable {
    const runs = this.sealed();
    if (runs.length === 0) return EMPTY;
    const table = mergeTables(runs);
    this.runs = [table];
    this.tiers = [Math.max(...this.tiers)];
    return table;
  }

  private reserve(extra: number): void {
    const needed = this.pending + extra;
    if (needed <= this.pendingKeys.length) return;
    this.pendingKeys = grown(this.pendingKeys, needed);
    this.pendingDocs = grown(this.pendingDocs, needed);
    this.pendingMasks = grown(this.pendingMasks, needed);
  }
}

function listAt(table: PostingTable, at: number): TrigramList {
  if (at < 0) return { docs: EMPTY.docs, masks: EMPTY.masks };
  const from = table.offsets[at] as number;
  const to = table.offsets[at + 1] as number;
  return { docs: table.docs.subarray(from, to), masks: table.masks.subarray(from, to) };
}

/**
 * Sorts the first `count` postings stably by key (low 12 bits, then high 12 bits; in place, through
 * a scratch copy) and groups them by key. The table's documents and masks are views of `postings`.
 */
function tableOf(postings: Postings, count: number): PostingTable {
  const scratch = {
    keys: new Uint32Array(count),
    docs: new Uint32Array(count),
    masks: new Uint8Array(count),
  };
  const [low, high] = digitStarts(postings.keys, count);
  scatterByDigit(postings, count, 0, low, scratch);
  scatterByDigit(scratch, count, RADIX_BITS, high, postings);
  const { keys } = postings;
  let distinct = 0;
  for (let i = 0; i < count; i++) if (i === 0 || keys[i] !== keys[i - 1]) distinct++;
  const tableKeys = new Uint32Array(distinct);
  const offsets = new Uint32Array(distinct + 1);
  let at = 0;
  for (let i = 0; i < count; i++) {
    if (i === 0 || keys[i] !== keys[i - 1]) {
      tableKeys[at] = keys[i] as number;
      offsets[at++] = i;
    }
  }
  offsets[distinct] = count;
  return {
    keys: tableKeys,
    offsets,
    docs: postings.docs.subarray(0, count),
    masks: postings.masks.subarray(0, count),
  };
}

/** Moves postings from `from` to `to` ordered (stably) by the key digit at `shift`; `starts`: prefix sums of the digit counts. */
function scatterByDigit(
  from: Postings,
  count: number,
  shift: number,
  starts: Uint32Array,
  to: Postings,
): void {
  const { keys, docs, masks } = from;
  const toKeys = to.keys;
  const toDocs = to.docs;
  const toMasks = to.masks;
  for (let i = 0; i < count; i++) {
    const key = keys[i] as number;
    const digit = (key >>> shift) & (RADIX - 1);
    const at = starts[digit] as number;
    starts[digit] = at + 1;
    toKeys[at] = key;
    toDocs[at] = docs[i] as number;
    toMasks[at] = masks[i] as number;
  }
}

/** Where each digit's postings start once sorted by it, for the low and the high digit of the keys. */
function digitStarts(keys: Uint32Array, count: number): [Uint32Array, Uint32Array] {
  const low = new Uint32Array(RADIX + 1);
  const high = new Uint32Array(RADIX + 1);
  for (let i = 0; i < count; i++) {
    const key = keys[i] as number;
    const lowSlot = (key & (RADIX - 1)) + 1;
    const highSlot = ((key >>> RADIX_BITS) & (RADIX - 1)) + 1;
    low[lowSlot] = (low[lowSlot] as number) + 1;
    high[highSlot] = (high[highSlot] as number) + 1;
  }
  for (let digit = 0; digit < RADIX; digit++) {
    low[digit + 1] = (low[digit + 1] as number) + (low[digit] as number);
    high[digit + 1] = (high[digit + 1] as number) + (high[digit] as number);
  }
  return [low, high];
}

/** Merges tables, oldest first; under a key several hold, the documents of older tables come first. */
function mergeTables(tables: readonly PostingTable[]): PostingTable {
  if (tables.length === 1) return tables[0] as PostingTable;
  let keyTotal = 0;
  let docTotal = 0;
  for (const table of tables) {
    keyTotal += table.keys.length;
    docTotal += table.docs.length;
  }
  const keys = new Uint32Array(keyTotal);
  const offsets = new Uint32Array(keyTotal + 1);
  const docs = new Uint32Array(docTotal);
  const masks = new Uint8Array(docTotal);
  const next = new Uint32Array(tables.length);
  let count = 0;
  let filled = 0;
  for (;;) {
    // The lowest key any table has left, and the second lowest: keys below the second one that
    // only the table holding the lowest has are copied in one piece.
    let lowest = Number.POSITIVE_INFINITY;
    let second = Number.POSITIVE_INFINITY;
    let holder = -1;
    for (let t = 0; t < tables.length; t++) {
      const tableKeys = (tables[t] as PostingTable).keys;
      const at = next[t] as number;
      if (at >= tableKeys.length) continue;
      const key = tableKeys[at] as number;
      if (key < lowest) {
        second = lowest;
        lowest = key;
        holder = t;
      } else if (key < second) second = key;
    }
    if (holder < 0) break;
    if (lowest !== second) {
      const table = tables[holder] as PostingTable;
      const from = next[holder] as number;
      let to = from + 1;
      while (to < table.keys.length && (table.keys[to] as number) < second) to++;
      filled = copyKeys(table, from, to, keys, offsets, count, filled);
      count += to - from;
      filled = copyLists(table, from, to, docs, masks, filled);
      next[holder] = to;
      continue;
    }
    keys[count] = lowest;
    offsets[count++] = filled;
    for (let t = 0; t < tables.length; t++) {
      const table = tables[t] as PostingTable;
      const at = next[t] as number;
      if (at < table.keys.length && table.keys[at] === lowest) {
        filled = copyLists(table, at, at + 1, docs, masks, filled);
        next[t] = at + 1;
      }
    }
  }
  offsets[count] = filled;
  return { keys: keys.slice(0, count), offsets: offsets.slice(0, count + 1), docs, masks };
}

/** Copies keys `[from, to)` of `table` to `keys` at `count`, with offsets rebased to start at `filled`; returns `filled`. */
function copyKeys(
  table: PostingTable,
  from: number,
  to: number,
  keys: Uint32Array,
  offsets: Uint32Array,
  count: number,
  filled: number,
): number {
  const shift = filled - (table.offsets[from] as number);
  for (let k = from; k < to; k++) {
    keys[count] = table.keys[k] as number;
    offsets[count++] = (table.offsets[k] as number) + shift;
  }
  return filled;
}

/** Appends the lists of keys `[from, to)` of `table` to `docs`/`masks` at `filled`; returns the new fill. */
function copyLists(
  table: PostingTable,
  from: number,
  to: number,
  docs: Uint32Array,
  masks: Uint8Array,
  filled: number,
): number {
  const start = table.offsets[from] as number;
  const end = table.offsets[to] as number;
  if (end - start > SHORT_COPY) {
    docs.set(table.docs.subarray(start, end), filled);
    masks.set(table.masks.subarray(start, end), filled);
    return filled + end - start;
  }
  // Short lists (most, in small runs): a loop costs less than two views.
  const fromDocs = table.docs;
  const fromMasks = table.masks;
  for (let at = start; at < end; at++) {
    docs[filled] = fromDocs[at] as number;
    masks[filled++] = fromMasks[at] as number;
  }
  return filled;
}
