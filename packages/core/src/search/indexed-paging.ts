import type { Entry } from '../model/entry.js';
import { isAfterCursor } from './cursor.js';
import { assembleHit, type ContentMatch, matchContent } from './hits.js';
import type { SearchHost } from './host.js';
import type { NormalisedQuery } from './options.js';
import { finishPage, matcherFor } from './paging.js';
import { PathHeap } from './path-heap.js';
import { decodeContent, metadataText } from './text.js';
import type { SearchHit, SearchResult } from './types.js';

/** Candidates verified at once (bounded concurrency of content reads). */
const VERIFY_BATCH = 32;

/**
 * Path-ordered paging over index candidates: verifies candidates in page order only until the page
 * is full, and matches each distinct content (by SHA-256) once per query, so copies of a file cost
 * one read. Produces exactly the hits `pageInPathOrder` would for the same candidates.
 */
export async function pageCandidatesInPathOrder(
  host: SearchHost,
  query: NormalisedQuery,
  candidates: Iterable<Entry>,
): Promise<SearchResult> {
  const matcher = matcherFor(query);
  const after: Entry[] = [];
  for (const entry of candidates)
    if (isAfterCursor(query.mode, { filePath: entry.filePath, score: 0 }, query.cursor)) after.push(entry);
  const heap = new PathHeap(after);
  const contentMatches = new Map<string, Promise<ContentMatch>>();
  const contentMatch = (entry: Entry): Promise<ContentMatch> => {
    let match = contentMatches.get(entry.sha256);
    if (!match) {
      match = host
        .readBytes(entry)
        .then((bytes) => matchContent(decodeContent(bytes), matcher, query.maxLinesPerHit));
      contentMatches.set(entry.sha256, match);
    }
    return match;
  };
  const hits: SearchHit[] = [];
  while (hits.length <= query.limit && heap.size > 0) {
    const batch: Entry[] = [];
    while (batch.length < VERIFY_BATCH && heap.size > 0) batch.push(heap.pop() as Entry);
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
