import type { Entry } from '@datalake/model';
import { collectionStats, scoreWords, type WordStats } from './bm25.js';
import { compareHits, encodeSearchCursor, isAfterCursor } from './cursor.js';
import { buildHit, localMatcher, type QueryMatcher } from './hits.js';
import { substringMatcher, wordsMatcher } from './matcher.js';
import type { NormalisedQuery } from './options.js';
import { regexQueryMatcher } from './regex-runner.js';
import type { SearchRun } from './run.js';
import { decodeContent, type EntryTexts, entryTexts } from './text.js';
import type { SearchHit, SearchResult } from './types.js';

/** The matcher of a query; a regular expression never runs past `deadline` (a `performance.now()` time). */
export function matcherFor(query: NormalisedQuery, deadline = Number.POSITIVE_INFINITY): QueryMatcher {
  switch (query.mode) {
    case 'substring':
      return localMatcher(substringMatcher(query.query, query.caseSensitive));
    case 'regex':
      return regexQueryMatcher(query.regex, deadline);
    case 'words':
      return localMatcher(wordsMatcher(query.words));
  }
}

/** An entry's searchable texts, or `null` when the search leaves the entry out (see `SearchRun.content`). */
export async function readTexts(run: SearchRun, entry: Entry): Promise<EntryTexts | null> {
  const bytes = await run.content(entry);
  return bytes === null ? null : entryTexts(entry, decodeContent(bytes));
}

/**
 * Words paging: every document of the collection is scored, then the page's hits are read for their
 * lines. `stopped`: the time budget ran out while the collection was gathered (so the ranking covers
 * only part of it, and no cursor can continue it).
 */
export async function pageByScore(
  run: SearchRun,
  query: NormalisedQuery & { mode: 'words' },
  collection: ReadonlyArray<{ entry: Entry; stats: WordStats }>,
  stopped = false,
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
  const page = scored.slice(0, query.limit);
  const matcher = matcherFor(query);
  const hits = await Promise.all(
    page.map(async ({ entry, score }) => {
      const texts = await readTexts(run, entry);
      if (!texts) return null;
      const hit = buildHit(entry, texts, matcher, query.maxLinesPerHit, score);
      // Scored from the same text, so it matches; the fallback only guards a concurrent update.
      return hit ?? { entry, score, matchedIn: [], lines: [], lineMatchCount: 0 };
    }),
  );
  const result: SearchResult = { hits: hits.filter((hit): hit is SearchHit => hit !== null) };
  const last = page.at(-1);
  if (!stopped && scored.length > query.limit && last) result.cursor = encodeSearchCursor('words', last);
  return run.finish(result, stopped ? {} : undefined);
}

function position(scored: { entry: Entry; score: number }) {
  return { filePath: scored.entry.filePath, score: scored.score };
}
