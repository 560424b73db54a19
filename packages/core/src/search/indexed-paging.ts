import type { Entry } from '../model/entry.js';
import { contentPrefilter } from './content-prefilter.js';
import { isAfterCursor } from './cursor.js';
import { assembleHit, type ContentMatch, matchContent } from './hits.js';
import type { SearchHost } from './host.js';
import type { NormalisedQuery } from './options.js';
import { finishPage, matcherFor } from './paging.js';
import { PathHeap } from './path-heap.js';
import { decodeContent, metadataText } from './text.js';
import type { SearchHit, SearchResult } from './types.js';

/** Candidates verified at once at most (bounded concurrency of content reads). */
const VERIFY_BATCH = 32;
/**
 * Candidates verified at once at least: a batch is cut to the hits the page still lacks (candidates
 * mostly match), but not so far that a run of non-matching candidates costs many round trips.
 */
const MIN_VERIFY_BATCH = 8;

const NO_CONTENT_MATCH: ContentMatch = Object.freeze({ matches: 0, lines: [], lineMatchCount: 0 });

/** Hands out candidates in page order, one at a time; `undefined` once there are no more. */
export type CandidateSource = () => Entry | undefined;

/**
 * Path-ordered paging over index candidates (any order; those up to the cursor are skipped):
 * produces exactly the hits `pageInPathOrder` would for the same candidates.
 */
export function pageCandidatesInPathOrder(
  host: SearchHost,
  query: NormalisedQuery,
  candidates: Iterable<Entry>,
): Promise<SearchResult> {
  const after: Entry[] = [];
  for (const entry of candidates)
    if (isAfterCursor(query.mode, { filePath: entry.filePath, score: 0 }, query.cursor)) after.push(entry);
  const heap = new PathHeap(after);
  return verifyInPathOrder(host, query, () => heap.pop());
}

/**
 * Verifies candidates (already after the cursor, in page order) only until the page is full, and
 * matches each distinct content (by SHA-256) once per query, so copies of a file cost one read.
 * A candidate whose content is already matched is decided at once, without waiting for a batch.
 */
export async function verifyInPathOrder(
  host: SearchHost,
  query: NormalisedQuery,
  next: CandidateSource,
): Promise<SearchResult> {
  const matcher = matcherFor(query);
  const mayMatch = contentPrefilter(query);
  const reading = new Map<string, Promise<ContentMatch>>();
  const matched = new Map<string, ContentMatch>();
  const read = (entry: Entry): Promise<ContentMatch> => {
    let match = reading.get(entry.sha256);
    if (!match) {
      // Bytes the prefilter rules out are neither hashed nor decoded: nothing is reported from them.
      let worthMatching = true;
      const prefilter = mayMatch && ((bytes: Uint8Array) => (worthMatching = mayMatch(bytes)));
      const sha256 = entry.sha256;
      match = host.readBytes(entry, prefilter).then((bytes) => {
        const result = worthMatching
          ? matchContent(decodeContent(bytes), matcher, query.maxLinesPerHit)
          : NO_CONTENT_MATCH;
        matched.set(sha256, result);
        return result;
      });
      reading.set(sha256, match);
    }
    return match;
  };
  const hits: SearchHit[] = [];
  const decide = (entry: Entry, content: ContentMatch) => {
    const hit = assembleHit(entry, { name: entry.name, metadata: metadataText(entry) }, content, matcher);
    if (hit) hits.push(hit);
  };
  // Candidates waiting for content reads, in page order; the reads of a batch run together.
  let batch: Entry[] = [];
  const settleBatch = async () => {
    const contents = await Promise.all(batch.map(read));
    for (const [i, entry] of batch.entries()) {
      if (hits.length <= query.limit) decide(entry, contents[i] as ContentMatch);
    }
    batch = [];
  };
  while (hits.length <= query.limit) {
    const entry = next();
    if (entry === undefined) break;
    const known = batch.length === 0 ? matched.get(entry.sha256) : undefined;
    if (known) {
      decide(entry, known);
      continue;
    }
    batch.push(entry);
    const size = Math.min(VERIFY_BATCH, Math.max(MIN_VERIFY_BATCH, query.limit + 1 - hits.length));
    if (batch.length >= size) await settleBatch();
  }
  if (batch.length > 0) await settleBatch();
  return finishPage(query, hits);
}
