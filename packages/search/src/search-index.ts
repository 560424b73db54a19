import { randomUUID } from 'node:crypto';
import type { Entry } from '@datalake/model';
import {
  CorruptDataError,
  INDEX_SEGMENTS_PREFIX,
  NotFoundError,
  PutMode,
  ReadOnlyError,
} from '@datalake/model';
import { Analyser } from './analysis.js';
import type { WordStats } from './bm25.js';
import { candidateDocs } from './candidate-docs.js';
import { indexedState, isTooLarge, maxIndexedBytesOf } from './content-rule.js';
import { DocSet } from './doc-set.js';
import { matchesFilters } from './filters.js';
import type { SearchHost } from './host.js';
import { HotLookups } from './hot-lookups.js';
import { pageCandidatesInPathOrder, verifyInPathOrder } from './indexed-paging.js';
import { mergeGroup } from './merge-policy.js';
import { type NormalisedQuery, normaliseQuery } from './options.js';
import { pageByScore, readTexts } from './paging.js';
import { type Covering, PathSlots } from './path-slots.js';
import { PathWalk } from './path-walk.js';
import { PostingCache } from './posting-cache.js';
import { readAhead } from './read-ahead.js';
import { requiredLiterals } from './regex-literals.js';
import { SearchRun } from './run.js';
import type { Segment } from './segment.js';
import { SegmentBuilder } from './segment-builder.js';
import { DocList, type DocState, type SegmentDocs } from './segment-docs.js';
import { PersistedSegment, SegmentGoneError } from './segment-format.js';
import { type MergeInput, mergeSegments } from './segment-merge.js';
import { foldCase } from './text.js';
import { literalTrigramRuns, type PlacedTrigram } from './trigrams.js';
import type {
  IndexCheckReport,
  IndexReport,
  NotIndexedEntry,
  SearchIndexOptions,
  SearchOptions,
  SearchResult,
} from './types.js';
import { filterByWords, MAX_PATTERN_WORDS } from './word-filter.js';
import { wordPatterns } from './word-patterns.js';
import { wordStatsOf } from './word-stats.js';
import { type DocKey, type LostDocuments, WorkerSegmentBuilder } from './worker-builder.js';

export const SEGMENT_PREFIX = INDEX_SEGMENTS_PREFIX;
const DEFAULT_FLUSH_BYTES = 16 * 1024 * 1024;
const DEFAULT_MAX_SEGMENTS = 8;
const DEFAULT_POSTING_CACHE_BYTES = 64 * 1024 * 1024;
const DEFAULT_WORD_FILTER_MIN_CANDIDATES = 64;
/** Contents read ahead of indexing while (re)building: overlaps I/O and hashing with analysis. */
const READ_AHEAD = 16;
/** Content bytes read ahead at most (contents may be up to `maxIndexedBytes` each). */
const READ_AHEAD_BYTES = 64 * 1024 * 1024;
const NO_CONTENT = new Uint8Array(0);
const NO_MASKS = new Uint8Array(0);
const MAX_ATTEMPTS = 3;
/**
 * Candidates at least 1/DENSE_DIVISOR of all entries are paged by walking the entries in path
 * order (cost: entries up to the page's end); fewer are ordered among themselves (cost: candidates).
 */
const DENSE_DIVISOR = 16;

interface DocRef {
  segment: Segment;
  doc: number;
}

/** What indexing an entry needs: its content, unless the content is kept out (then its reason). */
type Prepared =
  | { entry: Entry; state: Exclude<DocState, 'failed'>; bytes: Uint8Array }
  | { entry: Entry; state: 'failed'; detail: string };

/**
 * Persistent trigram + word index over a lake's entries, stored as immutable segment objects
 * under `.index/segments/`. A segment's document counts only while the entry still has the
 * content hash it was indexed with, so updates and deletes need no tombstones and every instance
 * sees the others' segments by listing them. Every substring/regex candidate is verified against
 * the content with the same matcher as `scanSearch`, so results are identical to a scan.
 *
 * Contents that cannot be indexed sensibly (binary, over `maxIndexedBytes`) are indexed by name and
 * metadata only, and a content whose analysis failed is recorded as such (and searched by reading
 * it): either way the document counts as covering its entry, so it is never analysed again on open.
 * Whether a document still answers depends on the size limit in force, so the index always agrees
 * with a scan under the same limit.
 */
export class SearchIndex {
  private readonly segments = new Map<string, PersistedSegment>();
  private buffer = new SegmentBuilder();
  /** Buffers being written as segments: still searchable until their documents point at the segment. */
  private flushing: SegmentBuilder[] = [];
  /**
   * Set once the backend refused a segment as read-only (a lake on a read-only mount): from then
   * on, full buffers stay in `inMemory`, searchable until the lake is closed, and nothing is merged.
   */
  private readOnly = false;
  private inMemory: SegmentBuilder[] = [];
  /**
   * Segment writes, merges and reloads of the segment list run one at a time, in order: a reload
   * during a merge would recompute coverage against segments the merge is about to replace.
   */
  private writing: Promise<void> = Promise.resolve();
  private readonly postingCache: PostingCache;
  private readonly hot = new HotLookups();
  private readonly coverage = new Map<string, DocRef>();
  /** Text bytes of the documents of a segment that still count (see `liveTextBytes`), dropped on changes. */
  private readonly liveBytes = new Map<Segment, number>();
  private readonly uncovered = new Set<string>();
  /** Entries covered by a `failed` document: searched by reading their content, not analysed again. */
  private readonly unanalysed = new Set<string>();
  /** The host's `catalogVersion` when coverage was last recomputed from every segment. */
  private recomputedAt: number | undefined;
  /** Bumped by every change of `coverage` or `uncovered`: `PathSlots` made before it are stale. */
  private coverageVersion = 0;
  private slots: PathSlots | undefined;
  private known:
    | {
        coverageVersion: number;
        bySegment: Map<Segment, Map<number, Entry | null>>;
      }
    | undefined;
  private readonly analyser = new Analyser();
  private readonly maxIndexedBytes: number;
  private readonly flushBytes: number;
  private readonly maxSegments: number;
  private readonly wordFilterMinCandidates: number;
  /** Analyses upserted documents on a worker thread (option `worker`); undefined: on this thread. */
  private readonly background: WorkerSegmentBuilder | undefined;

  private constructor(
    private readonly host: SearchHost,
    options: SearchIndexOptions,
  ) {
    this.maxIndexedBytes = maxIndexedBytesOf(host);
    this.flushBytes = options.flushBytes ?? DEFAULT_FLUSH_BYTES;
    this.maxSegments = options.maxSegments ?? DEFAULT_MAX_SEGMENTS;
    this.wordFilterMinCandidates = options.wordFilterMinCandidates ?? DEFAULT_WORD_FILTER_MIN_CANDIDATES;
    this.postingCache = new PostingCache(options.postingCacheBytes ?? DEFAULT_POSTING_CACHE_BYTES);
    this.background = options.worker ? WorkerSegmentBuilder.start() : undefined;
  }

  /** Loads the stored index (segment directories only) and, by default, indexes what it does not cover. */
  static async open(host: SearchHost, options: SearchIndexOptions = {}): Promise<SearchIndex> {
    const index = new SearchIndex(host, options);
    try {
      await index.reloadSegments();
      if (options.catchUpOnOpen !== false) await index.catchUp();
    } catch (error) {
      await index.background?.close();
      throw error;
    }
    return index;
  }

  /**
   * Indexes an entry's current content (`null`: read it from the backend, unless it is over the size
   * limit). With a worker, the entry is searched by scanning until the segment holding it is written
   * (see `flushBackground`).
   */
  async upsert(entry: Entry, content: Uint8Array | null): Promise<void> {
    const prepared = await this.prepare(entry, content);
    if (!prepared) return;
    const background = this.background;
    if (background && !background.failed && prepared.state !== 'failed') {
      background.add(entry, prepared.bytes, prepared.state);
      this.cover(entry.id, undefined);
      this.uncovered.add(entry.id);
      this.coverageVersion++;
      if (background.pendingBytes >= this.flushBytes) await this.flush();
      return;
    }
    this.add(prepared);
    if (this.buffer.textBytes >= this.flushBytes) await this.flush();
  }

  /**
   * Decides how an entry is indexed and reads the content that needs it: none over the size limit.
   * Content that cannot be read (missing, corrupt) is recorded as `failed`. Undefined: the entry is gone.
   */
  private async prepare(entry: Entry, content: Uint8Array | null): Promise<Prepared | undefined> {
    if (isTooLarge(entry, this.maxIndexedBytes)) return { entry, state: 'too-large', bytes: NO_CONTENT };
    let bytes = content;
    if (bytes === null) {
      try {
        bytes = await this.host.readBytes(entry);
      } catch (error) {
        if (error instanceof NotFoundError) return undefined;
        if (!(error instanceof CorruptDataError)) throw error;
        return { entry, state: 'failed', detail: `its content could not be read: ${error.message}` };
      }
    }
    const state = indexedState(entry, bytes, this.maxIndexedBytes);
    return { entry, state, bytes: state === 'indexed' ? bytes : NO_CONTENT };
  }

  private add(prepared: Prepared): void {
    const { entry } = prepared;
    const doc =
      prepared.state === 'failed'
        ? this.buffer.addFailed(entry, prepared.detail)
        : this.analyser.add(this.buffer, entry, prepared.bytes, prepared.state);
    this.cover(entry.id, { segment: this.buffer, doc });
    this.uncovered.delete(entry.id);
    this.coverageVersion++;
  }

  async remove(id: string): Promise<void> {
    this.cover(id, undefined);
    this.uncovered.delete(id);
    this.coverageVersion++;
  }

  /** Sets (or, given `undefined`, drops) the document covering an entry. */
  private cover(id: string, ref: DocRef | undefined): void {
    const previous = this.coverage.get(id);
    if (previous) this.liveBytes.delete(previous.segment);
    if (ref) {
      this.coverage.set(id, ref);
      this.liveBytes.delete(ref.segment);
      if (ref.segment.docs.state(ref.doc) === 'failed') this.unanalysed.add(id);
      else this.unanalysed.delete(id);
    } else {
      this.coverage.delete(id);
      this.unanalysed.delete(id);
    }
  }

  /**
   * Whether document `doc` answers for `entry`: made from its current content, and under the size
   * limit in force (a document made under another limit may hold content this one keeps out, or lack
   * content it lets in).
   */
  private answers(docs: SegmentDocs, doc: number, entry: Entry): boolean {
    if (!docs.hasSha256(doc, entry.sha256)) return false;
    return (docs.state(doc) === 'too-large') === isTooLarge(entry, this.maxIndexedBytes);
  }

  /** Picks up segments written (or merged away) by other instances, then indexes what is still uncovered. */
  async sync(): Promise<void> {
    await this.reloadSegments();
    await this.catchUp();
  }

  async search(query: string, options?: SearchOptions): Promise<SearchResult> {
    const normalised = normaliseQuery(query, options);
    const run = new SearchRun(this.host, normalised.timeBudgetMs, (entry) => this.keptOut(entry));
    for (let attempt = 1; ; attempt++) {
      try {
        return normalised.mode === 'words'
          ? await this.searchWords(run, normalised)
          : await this.searchInPathOrder(run, normalised);
      } catch (error) {
        if (!(error instanceof SegmentGoneError) || attempt >= MAX_ATTEMPTS) throw error;
        await this.reloadSegments();
      }
    }
  }

  /** Writes buffered documents as new segments, then merges small segments if there are too many. */
  async flush(): Promise<void> {
    const [lost] = await Promise.all([this.flushBackground(), this.flushBuffer()]);
    if (lost) await this.recoverLost(lost);
  }

  /**
   * Takes over the documents a failed worker took with it: the one it died analysing is recorded as
   * failed (so no later open analyses it again), the others are indexed on this thread.
   */
  private async recoverLost(lost: LostDocuments & { reason: string }): Promise<void> {
    const current = (doc: DocKey | undefined) => {
      const entry = doc && this.host.getEntry(doc.id);
      return entry?.sha256 === doc?.sha256 && entry && !this.covers(entry) ? entry : undefined;
    };
    const culprit = current(lost.culprit);
    if (culprit) {
      this.host.notice(
        `search index: analysing ${culprit.filePath} (entry ${culprit.id}) failed (${lost.reason}); it is searched by reading its content`,
      );
      this.add({ entry: culprit, state: 'failed', detail: `the index worker failed on it: ${lost.reason}` });
    }
    const others: Entry[] = [];
    for (const doc of lost.others) {
      const entry = current(doc);
      if (entry) others.push(entry);
    }
    await this.indexAll(others);
  }

  private flushBuffer(): Promise<void> {
    if (this.buffer.docs.length === 0) return this.writing;
    const buffer = this.buffer;
    // After a full buffer, another one is likely to follow (a rebuild, a bulk load): size it alike.
    this.buffer = new SegmentBuilder(buffer.textBytes >= this.flushBytes ? buffer : undefined);
    this.flushing.push(buffer);
    return this.serialised(async () => {
      const segment = this.readOnly ? undefined : await this.persist(buffer.encode());
      if (segment) await this.warm(segment, buffer);
      if (segment) this.repoint(buffer, segment, (doc) => doc);
      else this.inMemory.push(buffer);
      this.flushing = this.flushing.filter((pending) => pending !== buffer);
      if (segment) await this.compact();
    });
  }

  /**
   * Writes the worker's segment of the documents handed over so far and lets it answer for the
   * entries it indexed with their current content. If the worker failed, resolves to the documents
   * it lost (see `recoverLost`); later upserts are indexed here.
   */
  private flushBackground(): Promise<(LostDocuments & { reason: string }) | undefined> {
    const background = this.background;
    if (!background || background.pendingDocs === 0) return Promise.resolve(undefined);
    const taken = background.take();
    taken.catch(() => {}); // Awaited in turn below; this only keeps an early failure from going unhandled.
    let lost: (LostDocuments & { reason: string }) | undefined;
    const written = this.serialised(async () => {
      let bytes: Uint8Array;
      try {
        bytes = await taken;
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        lost = { ...background.lost(), reason };
        const count = (lost.culprit ? 1 : 0) + lost.others.length;
        this.host.notice(`search index worker failed (${reason}): indexing its ${count} entries here`);
        return;
      }
      // On a read-only lake the entries stay uncovered: searched by scanning.
      const segment = this.readOnly ? undefined : await this.persist(bytes);
      if (!segment) return;
      await this.warm(segment);
      this.coverCurrent(segment);
      await this.compact();
    });
    return written.then(() => lost);
  }

  /** Lets a new segment answer for the entries it indexed with their current content, unless already covered. */
  private coverCurrent(segment: Segment): void {
    const docs = segment.docs;
    for (let number = 0; number < docs.length; number++) {
      const id = docs.id(number);
      const entry = this.host.getEntry(id);
      if (entry === undefined || !this.answers(docs, number, entry) || this.covers(entry)) continue;
      this.cover(id, { segment, doc: number });
      this.uncovered.delete(id);
    }
    this.coverageVersion++;
  }

  /** Runs `task` after every segment write, merge or reload queued before it. */
  private serialised(task: () => Promise<void>): Promise<void> {
    const done = this.writing.then(task);
    this.writing = done.catch(() => undefined);
    return done;
  }

  private reloadSegments(): Promise<void> {
    return this.serialised(() => this.loadSegments());
  }

  /** Drops the stored index and indexes every entry again. */
  async rebuild(): Promise<IndexReport> {
    const started = performance.now();
    await this.writing;
    for (const key of [...this.segments.keys(), ...(await this.listSegmentKeys())])
      await this.host.backend.delete(key);
    this.segments.clear();
    this.buffer = new SegmentBuilder();
    this.flushing = [];
    this.inMemory = [];
    this.coverage.clear();
    this.liveBytes.clear();
    this.uncovered.clear();
    this.unanalysed.clear();
    this.coverageVersion++;
    let documents = 0;
    let notIndexed = 0;
    let indexedBytes = 0;
    await this.indexAll([...this.host.entries()], (entry) => {
      documents++;
      const ref = this.coverage.get(entry.id) as DocRef;
      indexedBytes += ref.segment.docs.textBytes(ref.doc);
      if (ref.segment.docs.state(ref.doc) !== 'indexed') notIndexed++;
    });
    return {
      documents,
      notIndexed,
      indexedBytes,
      segments: this.segments.size,
      indexBytes: this.indexBytes(),
      durationMs: performance.now() - started,
    };
  }

  /** Compares the index with the entries and verifies every segment's checksums. */
  async check(): Promise<IndexCheckReport> {
    const corruptSegments: string[] = [];
    await this.serialised(async () => {
      await this.loadSegments();
      for (const segment of this.segments.values()) {
        try {
          await segment.verify();
        } catch (error) {
          if (!(error instanceof CorruptDataError)) throw error;
          corruptSegments.push(segment.key);
        }
      }
    });
    const uncovered: string[] = [];
    let entries = 0;
    for (const entry of this.host.entries()) {
      entries++;
      if (!this.covers(entry)) uncovered.push(entry.id);
    }
    return {
      ok: corruptSegments.length === 0 && uncovered.length === 0,
      entries,
      covered: entries - uncovered.length,
      uncovered,
      segments: this.segments.size,
      corruptSegments,
      indexBytes: this.indexBytes(),
      notIndexed: this.notIndexed(),
    };
  }

  /** Entries whose content the index does not hold, in path order, with the reason. */
  notIndexed(): NotIndexedEntry[] {
    const found: NotIndexedEntry[] = [];
    for (const entry of this.host.entriesInPathOrder()) {
      const ref = this.coverage.get(entry.id);
      if (!ref || !this.answers(ref.segment.docs, ref.doc, entry)) continue;
      const reason = ref.segment.docs.state(ref.doc);
      if (reason === 'indexed') continue;
      const item: NotIndexedEntry = { id: entry.id, filePath: entry.filePath, size: entry.size, reason };
      const detail = ref.segment.docs.detail(ref.doc);
      if (detail !== undefined) item.detail = detail;
      found.push(item);
    }
    return found;
  }

  async close(): Promise<void> {
    try {
      await this.flush();
    } finally {
      await this.background?.close();
    }
  }

  /**
   * Indexes entries in order, reading contents a few ahead (never more than `READ_AHEAD_BYTES`
   * together, and none over the size limit), then flushes.
   */
  private async indexAll(entries: readonly Entry[], indexed?: (entry: Entry) => void): Promise<void> {
    const cost = (entry: Entry) => (isTooLarge(entry, this.maxIndexedBytes) ? 0 : entry.size);
    const read = (entry: Entry) => this.prepare(entry, null);
    for await (const { item: entry, value } of readAhead(entries, READ_AHEAD, read, cost, READ_AHEAD_BYTES)) {
      if (!value) continue;
      this.add(value);
      indexed?.(entry);
      if (this.buffer.textBytes >= this.flushBytes) await this.flush();
    }
    await this.flush();
  }

  private async searchInPathOrder(run: SearchRun, query: NormalisedQuery): Promise<SearchResult> {
    const literals = this.literalRuns(query);
    const runs = literalTrigramRuns(literals);
    if (runs.length === 0) {
      return this.pageByWalking(run, query, this.host.entriesInPathOrder(), (entry) =>
        matchesFilters(entry, query.filters),
      );
    }
    const segments = this.allSegments();
    for (const run of runs) for (const placed of run) this.hot.noteTrigram(placed.key);
    const signature = literals.join('\u0000');
    this.hot.noteQuery({ signature, runs });
    let perSegment = await Promise.all(segments.map((segment) => this.candidates(segment, runs, signature)));
    if (perSegment.reduce((sum, docs) => sum + docs.length, 0) >= this.wordFilterMinCandidates) {
      const patterns = wordPatterns(literals);
      for (const pattern of patterns) this.hot.notePattern(pattern);
      perSegment = await Promise.all(
        segments.map((segment, i) => filterByWords(segment, perSegment[i] as ArrayLike<number>, patterns)),
      );
    }
    let found = this.uncovered.size + this.unanalysed.size;
    for (const docs of perSegment) found += docs.length;
    // Entries, without asking the host for them in path order: after a change that costs a copy of
    // them all, which only the dense case needs. Every entry is covered or uncovered.
    if (found * DENSE_DIVISOR >= this.coverage.size + this.uncovered.size) {
      const ordered = this.host.entriesInPathOrder();
      const slots = this.pathSlots(ordered);
      const members = slots.segments.map((segment) => {
        const at = segments.indexOf(segment);
        return at < 0 ? undefined : DocSet.of(perSegment[at] as ArrayLike<number>, segment.docs.length);
      });
      return this.pageByWalking(
        run,
        query,
        ordered,
        (entry, position) => slots.isCandidate(position, members) && matchesFilters(entry, query.filters),
      );
    }
    // No duplicates: an entry is valid in the one segment its coverage points at, or uncovered.
    const candidates: Entry[] = [];
    segments.forEach((segment, i) => {
      const docs = perSegment[i] as ArrayLike<number>;
      const known = this.knownEntries(segment);
      for (let d = 0; d < docs.length; d++) {
        const doc = docs[d] as number;
        let entry = known.get(doc);
        // An entry replaced by the host (same content, so the same coverage) is looked up again.
        if (entry === undefined || (entry !== null && this.host.getEntry(entry.id) !== entry)) {
          entry = (segment.docs.state(doc) !== 'failed' && this.validEntry(segment, doc)) || null;
          known.set(doc, entry);
        }
        if (entry && matchesFilters(entry, query.filters)) candidates.push(entry);
      }
    });
    for (const entry of this.readEveryTime()) {
      if (matchesFilters(entry, query.filters)) candidates.push(entry);
    }
    return pageCandidatesInPathOrder(run, query, candidates);
  }

  /**
   * A segment's candidates for the trigram runs of the literals `signature` names (see
   * `candidateDocs`); those of a written segment are kept in the posting cache, as it never changes.
   */
  private async candidates(
    segment: Segment,
    runs: readonly PlacedTrigram[][],
    signature: string,
  ): Promise<ArrayLike<number>> {
    if (segment.key === undefined) return candidateDocs(segment, runs);
    const key = `${segment.key}\u0000q:${signature}`;
    const cached = this.postingCache.get(key);
    if (cached) return cached.docs;
    const docs = Uint32Array.from(await candidateDocs(segment, runs));
    this.postingCache.set(key, { docs, masks: NO_MASKS });
    return docs;
  }

  /** A page from walking every entry in path order (for dense candidate sets: no sorting of them). */
  private async pageByWalking(
    run: SearchRun,
    query: NormalisedQuery,
    ordered: readonly Entry[],
    isCandidate: (entry: Entry, position: number) => boolean,
  ): Promise<SearchResult> {
    const walk = new PathWalk(ordered, query.cursor, isCandidate);
    return verifyInPathOrder(run, query, () => walk.next());
  }

  /**
   * The valid entry (see `validEntry`) of each document of a segment as far as looked up (`null`: none,
   * or a `failed` document, whose entry is a candidate anyway),
   * kept while the coverage stays the same: repeated queries skip most lookups. Filled as candidates
   * are looked up, so that a search after a change costs its candidates, not the segment.
   */
  private knownEntries(segment: Segment): Map<number, Entry | null> {
    let known = this.known;
    if (known?.coverageVersion !== this.coverageVersion) {
      known = { coverageVersion: this.coverageVersion, bySegment: new Map() };
      this.known = known;
    }
    let entries = known.bySegment.get(segment);
    if (!entries) {
      entries = new Map();
      known.bySegment.set(segment, entries);
    }
    return entries;
  }

  /** Covering documents of the entries in path order, kept while the entries and coverage stay the same. */
  private pathSlots(ordered: readonly Entry[]): PathSlots {
    const slots = this.slots;
    if (slots?.ordered === ordered && slots.coverageVersion === this.coverageVersion) return slots;
    this.slots = new PathSlots(ordered, this.coverageVersion, this.allSegments(), (entry) =>
      this.covering(entry),
    );
    return this.slots;
  }

  /**
   * The document that answers for an entry, or 'uncovered': together with the candidate documents,
   * the same set the sparse path builds from `validEntry` and `uncoveredEntries`.
   */
  private covering(entry: Entry): Covering {
    const ref = this.coverage.get(entry.id);
    if (ref === undefined) return this.uncovered.has(entry.id) ? 'uncovered' : undefined;
    if (!this.answers(ref.segment.docs, ref.doc, entry)) return undefined;
    return ref.segment.docs.state(ref.doc) === 'failed' ? 'uncovered' : ref;
  }

  private literalRuns(query: NormalisedQuery): string[] {
    if (query.mode === 'substring') return [foldCase(query.query)];
    if (query.mode === 'regex') return requiredLiterals(query.query, !query.caseSensitive).map(foldCase);
    return [];
  }

  private async searchWords(
    run: SearchRun,
    query: NormalisedQuery & { mode: 'words' },
  ): Promise<SearchResult> {
    const collection = new Map<string, { entry: Entry; stats: WordStats }>();
    let stopped = false;
    for (const entry of this.host.entries()) {
      if (!matchesFilters(entry, query.filters)) continue;
      const ref = this.coverage.get(entry.id);
      if (
        ref &&
        this.answers(ref.segment.docs, ref.doc, entry) &&
        ref.segment.docs.state(ref.doc) !== 'failed'
      ) {
        const stats = { length: ref.segment.docs.words(ref.doc), counts: new Map<string, number>() };
        collection.set(entry.id, { entry, stats });
        continue;
      }
      if (run.expired) {
        stopped = true;
        break;
      }
      const texts = await readTexts(run, entry);
      if (texts) collection.set(entry.id, { entry, stats: wordStatsOf(texts, query.words) });
    }
    const lookups: Array<[string, boolean]> = [
      ...query.words.exact.map((word): [string, boolean] => [word, false]),
      [query.words.prefix, true],
    ];
    for (const segment of this.allSegments()) {
      for (const [word, prefix] of lookups) {
        for (const postings of await segment.termPostings(word, prefix)) {
          for (let i = 0; i < postings.docs.length; i++) {
            const doc = postings.docs[i] as number;
            const entry = segment.docs.state(doc) === 'failed' ? undefined : this.validEntry(segment, doc);
            const item = entry && collection.get(entry.id);
            if (item) item.stats.counts.set(postings.term, postings.counts[i] as number);
          }
        }
      }
    }
    return pageByScore(run, query, [...collection.values()], stopped);
  }

  /** The current entry of a segment's document, if that document is the one the index answers with. */
  private validEntry(segment: Segment, doc: number): Entry | undefined {
    if (doc >= segment.docs.length) return undefined;
    const id = segment.docs.id(doc);
    const ref = this.coverage.get(id);
    if (!ref || ref.segment !== segment || ref.doc !== doc) return undefined;
    const entry = this.host.getEntry(id);
    return entry !== undefined && this.answers(segment.docs, doc, entry) ? entry : undefined;
  }

  /** Whether the index holds the entry by name and metadata only (binary or too large content). */
  private keptOut(entry: Entry): boolean {
    const ref = this.coverage.get(entry.id);
    if (!ref || !this.answers(ref.segment.docs, ref.doc, entry)) return false;
    const state = ref.segment.docs.state(ref.doc);
    return state === 'binary' || state === 'too-large';
  }

  private covers(entry: Entry): boolean {
    const ref = this.coverage.get(entry.id);
    return ref !== undefined && this.answers(ref.segment.docs, ref.doc, entry);
  }

  private *uncoveredEntries(): Iterable<Entry> {
    for (const id of this.uncovered) {
      const entry = this.host.getEntry(id);
      if (entry) yield entry;
    }
  }

  /** Entries every substring or regex query reads: uncovered, or covered by a `failed` document. */
  private *readEveryTime(): Iterable<Entry> {
    yield* this.uncoveredEntries();
    for (const id of this.unanalysed) {
      const entry = this.host.getEntry(id);
      if (entry && !this.uncovered.has(id)) yield entry;
    }
  }

  private allSegments(): Segment[] {
    return [...this.segments.values(), ...this.inMemory, ...this.flushing, this.buffer];
  }

  private async listSegmentKeys(): Promise<string[]> {
    const keys: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.host.backend.list(SEGMENT_PREFIX, cursor === undefined ? {} : { cursor });
      for (const object of page.objects) if (object.key.endsWith('.seg')) keys.push(object.key);
      cursor = page.cursor;
    } while (cursor !== undefined);
    return keys;
  }

  /**
   * Brings the set of open segments in line with the backend and recomputes coverage, unless neither
   * the segments nor the entries changed since coverage was last recomputed: upserts and removals
   * keep it current in between, so a sync with nothing new costs the listing only.
   */
  private async loadSegments(): Promise<void> {
    const keys = await this.listSegmentKeys();
    const listed = new Set(keys);
    const before = this.segments.size;
    for (const key of this.segments.keys()) if (!listed.has(key)) this.segments.delete(key);
    const added = keys.filter((key) => !this.segments.has(key));
    const version = this.host.catalogVersion?.();
    if (
      added.length === 0 &&
      this.segments.size === before &&
      version !== undefined &&
      version === this.recomputedAt
    )
      return;
    // Opened together (their reads overlap), added in key order: coverage goes to the last listed.
    const opened = await Promise.allSettled(
      added.map((key) => PersistedSegment.open(this.host.backend, key, this.postingCache)),
    );
    for (const [i, result] of opened.entries()) {
      const key = added[i] as string;
      if (result.status === 'fulfilled') {
        this.segments.set(key, result.value);
        continue;
      }
      const error: unknown = result.reason;
      if (error instanceof SegmentGoneError) continue;
      if (!(error instanceof CorruptDataError)) throw error;
      this.host.notice(`search index segment ${key} is corrupt (${error.message}): removing it`);
      await this.unlessReadOnly(this.host.backend.delete(key));
    }
    this.recomputeCoverage();
  }

  private recomputeCoverage(): void {
    this.recomputedAt = this.host.catalogVersion?.();
    this.coverage.clear();
    this.liveBytes.clear();
    this.uncovered.clear();
    this.unanalysed.clear();
    this.coverageVersion++;
    for (const segment of this.allSegments()) {
      const docs = segment.docs;
      for (let number = 0; number < docs.length; number++) {
        const id = docs.id(number);
        const entry = this.host.getEntry(id);
        if (entry === undefined || !this.answers(docs, number, entry)) continue;
        this.coverage.set(id, { segment, doc: number });
        if (docs.state(number) === 'failed') this.unanalysed.add(id);
        else this.unanalysed.delete(id);
      }
    }
    // Coverage holds current entries only: as many as there are entries means none is uncovered.
    const entries = this.host.entriesInPathOrder();
    if (this.coverage.size === entries.length) return;
    for (const entry of entries) if (!this.coverage.has(entry.id)) this.uncovered.add(entry.id);
  }

  private async catchUp(): Promise<void> {
    const missing = [...this.uncoveredEntries()];
    if (missing.length === 0) return;
    this.host.notice(`search index missing ${missing.length} entries: indexing them`);
    await this.indexAll(missing);
  }

  /** Writes a segment; `undefined` when the backend refuses it as read-only (see `readOnly`). */
  private async persist(bytes: Uint8Array): Promise<PersistedSegment | undefined> {
    try {
      return await this.writeSegment(bytes);
    } catch (error) {
      this.readOnlyOrThrow(error);
      return undefined;
    }
  }

  /** Runs a removal the index can do without on a read-only lake. */
  private async unlessReadOnly(removal: Promise<unknown>): Promise<void> {
    try {
      await removal;
    } catch (error) {
      this.readOnlyOrThrow(error);
    }
  }

  /** Rethrows anything but a `ReadOnlyError`, which switches the index to memory (told once). */
  private readOnlyOrThrow(error: unknown): void {
    if (!(error instanceof ReadOnlyError)) throw error;
    if (this.readOnly) return;
    this.readOnly = true;
    if (this.host.readOnly) this.host.readOnly(error);
    else this.host.notice(`the search index cannot be written (${error.message}): it is kept in memory`);
  }

  private async writeSegment(bytes: Uint8Array): Promise<PersistedSegment> {
    const key = `${SEGMENT_PREFIX}${Date.now().toString(36).padStart(9, '0')}-${randomUUID()}.seg`;
    await this.host.backend.put(key, bytes, { mode: PutMode.create });
    const segment = await PersistedSegment.open(this.host.backend, key, this.postingCache);
    this.segments.set(key, segment);
    return segment;
  }

  /**
   * Gets the lists recent queries looked up (see `HotLookups`) ready in a segment just written: from
   * the builder it was written from (no reading), else read from the segment.
   */
  private async warm(segment: PersistedSegment, from?: SegmentBuilder): Promise<void> {
    const keys = this.hot.trigrams();
    const patterns = this.hot.patterns();
    if (!from) {
      await Promise.all([
        ...keys.map((key) => segment.trigramPostings(key)),
        ...(patterns.length > 0 ? [segment.completeDocs()] : []),
        ...patterns.map((pattern) => segment.wordDocs(pattern, MAX_PATTERN_WORDS)),
      ]);
    } else {
      for (const key of keys) segment.warmTrigram(key, await from.trigramPostings(key));
      if (patterns.length > 0) {
        segment.warmCompleteDocs(await from.completeDocs());
        for (const pattern of patterns)
          segment.warmWordDocs(pattern, MAX_PATTERN_WORDS, await from.wordDocs(pattern, MAX_PATTERN_WORDS));
      }
    }
    // Recent queries' candidates too: the first search after a flush or merge then costs what later ones do.
    for (const { signature, runs } of this.hot.queries()) await this.candidates(segment, runs, signature);
  }

  /** Points coverage of documents in `from` at their new numbers in `to`. */
  private repoint(from: Segment, to: Segment, renumber: (doc: number) => number | undefined): void {
    for (let number = 0; number < from.docs.length; number++) {
      const id = from.docs.id(number);
      const ref = this.coverage.get(id);
      const next = renumber(number);
      if (ref?.segment === from && ref.doc === number && next !== undefined)
        this.cover(id, { segment: to, doc: next });
    }
    this.coverageVersion++;
  }

  /** Merges segments of similar size (keeping only documents still current) while a size tier is full. */
  private async compact(): Promise<void> {
    for (;;) {
      const group = mergeGroup(
        [...this.segments.values()],
        (segment) => this.liveTextBytes(segment),
        this.flushBytes,
        this.maxSegments,
      );
      if (!group || this.readOnly) return;
      await this.merge(group);
    }
  }

  /** Text bytes of the segment's documents that answer for their entries (kept until coverage changes). */
  private liveTextBytes(segment: Segment): number {
    const known = this.liveBytes.get(segment);
    if (known !== undefined) return known;
    let total = 0;
    for (let number = 0; number < segment.docs.length; number++)
      if (this.validEntry(segment, number)) total += segment.docs.textBytes(number);
    this.liveBytes.set(segment, total);
    return total;
  }

  private async merge(group: readonly PersistedSegment[]): Promise<void> {
    const docs = new DocList();
    const renumbering = group.map((segment) => {
      const renumber = new Int32Array(segment.docs.length).fill(-1);
      for (let number = 0; number < segment.docs.length; number++)
        if (this.validEntry(segment, number)) renumber[number] = docs.addFrom(segment.docs, number);
      return renumber;
    });
    const inputs: MergeInput[] = [];
    for (const [i, segment] of group.entries())
      inputs.push({ raw: await segment.readRaw(), renumber: renumbering[i] as Int32Array });
    const target = await this.persist(mergeSegments(docs, inputs));
    if (!target) return;
    await this.warm(target);
    group.forEach((segment, i) => {
      const renumber = renumbering[i] as Int32Array;
      this.repoint(segment, target, (doc) => ((renumber[doc] as number) >= 0 ? renumber[doc] : undefined));
    });
    for (const segment of group) {
      this.segments.delete(segment.key);
      this.liveBytes.delete(segment);
      await this.unlessReadOnly(this.host.backend.delete(segment.key));
    }
  }

  private indexBytes(): number {
    let total = 0;
    for (const segment of this.segments.values()) total += segment.size;
    return total;
  }
}
