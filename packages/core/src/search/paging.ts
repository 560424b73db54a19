import { compareKeys } from '../backend/keys.js';
import type { Entry } from '../model/entry.js';
import { collectionStats, scoreWords, type WordStats } from './bm25.js';
import { compareHits, encodeSearchCursor, isAfterCursor } from './cursor.js';
import { buildHit } from './hits.js';
import type { SearchHost } from './host.js';
import { regexMatcher, substringMatcher, type TextMatcher, wordsMatcher } from './matcher.js';
import type { NormalisedQuery } from './options.js';
import { decodeContent, entryTexts } from './text.js';
import type { SearchHit, SearchResult } from './types.js';

/** How many candidates are read from the backend at once while filling a page. */
const READ_BATCH = 32;

export function matcherFor(query: NormalisedQuery): TextMatcher {
  switch (query.mode) {
    case 'substring':
      return substringMatcher(query.query, query.caseSensitive);
    case 'regex':
      return regexMatcher(query.regex);
    case 'words':
      return wordsMatcher(query.words);
  }
}

export async function readTexts(host: SearchHost, entry: Entry) {
  return entryTexts(entry, decodeContent(await host.readBytes(entry)));
}

/**
 * Substring and regex paging: candidates (a superset of the hits, already filtered) are verified in
 * `filePath` order until the page is full, so a broad query never reads more than it returns.
 */
export async function pageInPathOrder(
  host: SearchHost,
  query: NormalisedQuery,
  candidates: Iterable<Entry>,
): Promise<SearchResult> {
  const matcher = matcherFor(query);
  const ordered = [...candidates]
    .filter((entry) => isAfterCursor(query.mode, { filePath: entry.filePath, score: 0 }, query.cursor))
    .sort((a, b) => compareKeys(a.filePath, b.filePath));
  const hits: SearchHit[] = [];
  for (let at = 0; at < ordered.length && hits.length <= query.limit; at += READ_BATCH) {
    const batch = ordered.slice(at, at + READ_BATCH);
    const verified = await Promise.all(
      batch.map(async (entry) =>
        buildHit(entry, await readTexts(host, entry), matcher, query.maxLinesPerHit),
      ),
    );
    for (const hit of verified) if (hit && hits.length <= query.limit) hits.push(hit);
  }
  return finishPage(query, hits);
}

/** Words paging: every document of the collection is scored, then the page's hits are read for their lines. */
export async function pageByScore(
  host: SearchHost,
  query: NormalisedQuery & { mode: 'words' },
  collection: ReadonlyArray<{ entry: Entry; stats: WordStats }>,
): Promise<SearchResult> {
  const stats = collectionStats(collection.map((doc) => doc.stats));
  const scored: Array<{ entry: Entry; score: number }> = [];
  for (const doc of collection) {
    const score = scoreWords(query.words, doc.stats, stats);
    if (score === null) continue;
    if (isAfterCursor('words', { filePath: doc.entry.filePath, score }, query.cursor))
      scored.push({ entry: doc.entry, score });
  }
  scored.sort((a, b) => compareHits('words', position(a), position(b)));
  const page = scored.slice(0, query.limit + 1);
  const matcher = matcherFor(query);
  const hits = await Promise.all(
    page.map(async ({ entry, score }) => {
      const hit = buildHit(entry, await readTexts(host, entry), matcher, query.maxLinesPerHit, score);
      // Scored from the same text, so it matches; the fallback only guards a concurrent update.
      return hit ?? { entry, score, matchedIn: [], lines: [], lineMatchCount: 0 };
    }),
  );
  return finishPage(query, hits);
}

function position(scored: { entry: Entry; score: number }) {
  return { filePath: scored.entry.filePath, score: scored.score };
}

export function finishPage(query: NormalisedQuery, hits: SearchHit[]): SearchResult {
  if (hits.length <= query.limit) return { hits };
  const page = hits.slice(0, query.limit);
  return { hits: page, cursor: encodeSearchCursor(query.mode, page[page.length - 1] as SearchHit) };
}
