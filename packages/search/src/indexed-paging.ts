import type { Entry } from '@datalake/model';
import { contentPrefilter } from './content-prefilter.js';
import { encodePathCursor, encodeSearchCursor, isAfterCursor } from './cursor.js';
import { assembleHit, type ContentMatch, type MatchJob, NO_CONTENT_MATCH } from './hits.js';
import type { NormalisedQuery } from './options.js';
import { matcherFor } from './paging.js';
import { PathHeap } from './path-heap.js';
import { NOT_SEARCHED, type SearchRun, TimeBudgetExceeded } from './run.js';
import { decodeContent, metadataText } from './text.js';
import type { SearchHit, SearchResult } from './types.js';

/** Candidates verified at once at most (bounded concurrency of content reads). */
const VERIFY_BATCH = 32;
/**
 * Candidates verified at once at least: a batch is cut to the hits the page still lacks (candidates
 * mostly match), but not so far that a run of non-matching candidates costs many round trips.
 */
const MIN_VERIFY_BATCH = 8;
/**
 * Content bytes read at once at most (besides the batch's first candidate): contents may be up to
 * `maxIndexedBytes` each, and a batch of those must not hold them all in memory.
 */
const VERIFY_BATCH_BYTES = 32 * 1024 * 1024;

/** A content that could not be read: its entries are left out. */
const UNREADABLE = null;

/** A content as read for matching (`bytes` null: unreadable); `worthMatching`: the prefilter's verdict. */
interface Loaded {
  bytes: Uint8Array | null;
  worthMatching: boolean;
}

/** How a candidate of a batch is decided: its content's match (or the job answering it), and the job matching its fields. */
interface Plan {
  content: ContentMatch | number | typeof UNREADABLE;
  fields: number;
}

/** Hands out candidates in page order, one at a time; `undefined` once there are no more. */
export type CandidateSource = () => Entry | undefined;

/**
 * Path-ordered paging over candidates in any order (those up to the cursor are skipped): the scan
 * passes every entry that meets the filters, the index its candidates.
 */
export function pageCandidatesInPathOrder(
  run: SearchRun,
  query: NormalisedQuery,
  candidates: Iterable<Entry>,
): Promise<SearchResult> {
  const after: Entry[] = [];
  for (const entry of candidates)
    if (isAfterCursor(query.mode, { filePath: entry.filePath, score: 0 }, query.cursor)) after.push(entry);
  const heap = new PathHeap(after);
  return verifyInPathOrder(run, query, () => heap.pop());
}

/**
 * Verifies candidates (already after the cursor, in page order) only until the page is full, and
 * matches each distinct content (by SHA-256) once per query, so copies of a file cost one read.
 * A candidate whose content is already matched is decided at once, without waiting for a batch.
 * When the time budget runs out, the hits decided so far are the answer, marked incomplete, with a
 * cursor after the last candidate decided.
 */
export async function verifyInPathOrder(
  run: SearchRun,
  query: NormalisedQuery,
  next: CandidateSource,
): Promise<SearchResult> {
  const matcher = matcherFor(query, run.deadline);
  const mayMatch = contentPrefilter(query);
  const load = (entry: Entry): Promise<Loaded> => {
    // Bytes the prefilter rules out are neither hashed nor decoded: nothing is reported from them.
    let worthMatching = true;
    const prefilter = mayMatch && ((bytes: Uint8Array) => (worthMatching = mayMatch(bytes)));
    const loaded = run.content(entry, prefilter).then((bytes) => ({ bytes, worthMatching }));
    // Failures surface when the entry's turn comes; until then they must not count as unhandled.
    loaded.catch(() => undefined);
    return loaded;
  };
  // Contents by SHA-256: read once, matched once. A content that could not be read is not shared:
  // other entries with the same hash have files of their own, which are read in turn.
  const loading = new Map<string, Promise<Loaded>>();
  const matched = new Map<string, ContentMatch>();
  const contentOf = async (entry: Entry): Promise<Loaded> => {
    const shared = loading.get(entry.sha256);
    let loaded = await (shared ?? load(entry));
    if (loaded.bytes === null) {
      loading.delete(entry.sha256);
      if (shared) loaded = await load(entry);
    }
    return loaded;
  };
  const hits: SearchHit[] = [];
  /** The last candidate decided, hit or not: an incomplete answer continues after it. */
  let decided: Entry | undefined;
  /** The candidate being decided: where an incomplete answer stopped. */
  let deciding: Entry | undefined;
  // Candidates waiting to be decided, in page order. The reads of a batch run together, then the
  // batch is matched in one go (one round trip when a regular expression runs on its worker), in
  // page order, so that when time runs out every candidate before the one at hand is decided.
  let batch: Entry[] = [];
  let batchBytes = 0;
  const settleBatch = async () => {
    for (const entry of batch)
      if (!matched.has(entry.sha256) && !loading.has(entry.sha256)) loading.set(entry.sha256, load(entry));
    const jobs: MatchJob[] = [];
    const plans: Plan[] = [];
    const contentJobs = new Map<string, number>();
    for (const entry of batch) {
      const known = matched.get(entry.sha256);
      const plan: Plan = { content: known ?? UNREADABLE, fields: -1 };
      if (!known) {
        const { bytes, worthMatching } = await contentOf(entry);
        if (bytes === null) {
          plans.push(plan);
          continue;
        }
        const queued = contentJobs.get(entry.sha256);
        if (queued !== undefined) plan.content = queued;
        else if (!worthMatching || bytes === NOT_SEARCHED) plan.content = NO_CONTENT_MATCH;
        else {
          plan.content =
            jobs.push({ kind: 'content', text: decodeContent(bytes), maxLines: query.maxLinesPerHit }) - 1;
          contentJobs.set(entry.sha256, plan.content);
        }
      }
      plan.fields = jobs.push({ kind: 'fields', name: entry.name, metadata: metadataText(entry) }) - 1;
      plans.push(plan);
    }
    for (const entry of batch) loading.delete(entry.sha256); // the bytes are no longer needed
    const answers = matcher.run(jobs);
    for (const [i, entry] of batch.entries()) {
      if (hits.length > query.limit) break;
      deciding = entry;
      const plan = plans[i] as Plan;
      if (plan.content !== UNREADABLE) {
        const content = typeof plan.content === 'number' ? answers[plan.content] : plan.content;
        const fields = answers[plan.fields];
        if (content === undefined || fields === undefined)
          throw new TimeBudgetExceeded('the search ran out of time');
        matched.set(entry.sha256, content as ContentMatch);
        const hit = assembleHit(entry, content as ContentMatch, fields as [number, number]);
        if (hit) hits.push(hit);
      }
      decided = entry;
    }
    batch = [];
    batchBytes = 0;
  };
  try {
    while (hits.length <= query.limit) {
      const entry = next();
      if (entry === undefined) break;
      if (run.expired) {
        if (batch.length === 0) deciding = entry;
        throw new TimeBudgetExceeded('the search ran out of time');
      }
      const cost = matched.has(entry.sha256) ? 0 : run.readCost(entry);
      if (batch.length > 0 && batchBytes + cost > VERIFY_BATCH_BYTES) await settleBatch();
      batch.push(entry);
      batchBytes += cost;
      const size = Math.min(VERIFY_BATCH, Math.max(MIN_VERIFY_BATCH, query.limit + 1 - hits.length));
      if (batch.length >= size) await settleBatch();
    }
    if (batch.length > 0) await settleBatch();
  } catch (error) {
    if (!(error instanceof TimeBudgetExceeded)) throw error;
    const undecided = deciding !== decided ? deciding : batch.find((entry) => entry !== decided);
    return stoppedPage(run, query, hits, decided, undecided);
  }
  return pathPage(run, query, hits);
}

/** A complete page: a cursor when hits beyond the page were found. */
function pathPage(run: SearchRun, query: NormalisedQuery, hits: SearchHit[]): SearchResult {
  if (hits.length <= query.limit) return run.finish({ hits });
  const page = hits.slice(0, query.limit);
  return run.finish({ hits: page, cursor: encodeSearchCursor(query.mode, page.at(-1) as SearchHit) });
}

/** The page of a search stopped by its time budget: continues after the last candidate decided. */
function stoppedPage(
  run: SearchRun,
  query: NormalisedQuery,
  hits: SearchHit[],
  decided: Entry | undefined,
  undecided: Entry | undefined,
): SearchResult {
  if (hits.length > query.limit) return pathPage(run, query, hits);
  const mode = query.mode === 'words' ? 'substring' : query.mode;
  const after = decided?.filePath ?? query.cursor?.filePath ?? '';
  return run.finish({ hits, cursor: encodePathCursor(mode, after) }, { stoppedAt: undecided?.filePath });
}
