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
 */
export async function verifyInPathOrder(
  host: SearchHost,
  query: NormalisedQuery,
  next: CandidateSource,
): Promise<SearchResult> {
  const matcher = matcherFor(query);
  const mayMatch = contentPrefilter(query);
  const contentMatches = new Map<string, Promise<ContentMatch>>();
  const contentMatch = (entry: Entry): Promise<ContentMatch> => {
    let match = contentMatches.get(entry.sha256);
    if (!match) {
      // Bytes the prefilter rules out are neither hashed nor decoded: nothing is reported from them.
      let worthMatching = true;
      const prefilter = mayMatch && ((bytes: Uint8Array) => (worthMatching = mayMatch(bytes)));
      match = host
        .readBytes(entry, prefilter)
        .then((bytes) =>
          worthMatching
            ? matchContent(decodeContent(bytes), matcher, query.maxLinesPerHit)
            : NO_CONTENT_MATCH,
        );
      contentMatches.set(entry.sha256, match);
    }
    return match;
  };
  const hits: SearchHit[] = [];
  let exhausted = false;
  while (hits.length <= query.limit && !exhausted) {
    const size = Math.min(VERIFY_BATCH, Math.max(MIN_VERIFY_BATCH, query.limit + 1 - hits.length));
    const batch: Entry[] = [];
    while (batch.length < size) {
      const entry = next();
      if (entry === undefined) {
        exhausted = true;
        break;
      }
      batch.push(entry);
    }
    const verified = await Promise.all(
      batch.map(async (entry) =>
        assembleHit(
          entry,
          { name: entry.name, metadata: metadataText(entry) },
          await contentMatch(entry),
          matcher,
        ),
      ),
    );
    for (const hit of verified) if (hit && hits.length <= query.limit) hits.push(hit);
  }
  return finishPage(query, hits);
}
