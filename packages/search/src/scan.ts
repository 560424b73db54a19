import type { Entry } from '@datalake/model';
import type { WordStats } from './bm25.js';
import { matchesFilters } from './filters.js';
import type { SearchHost } from './host.js';
import { pageCandidatesInPathOrder } from './indexed-paging.js';
import { normaliseQuery } from './options.js';
import { pageByScore, readTexts } from './paging.js';
import { SearchRun } from './run.js';
import type { SearchOptions, SearchResult } from './types.js';
import { wordStatsOf } from './word-stats.js';

/**
 * Brute-force search: reads the content of every entry that passes the filters. Always correct;
 * the reference the index is tested against, and its fallback.
 */
export async function scanSearch(
  host: SearchHost,
  query: string,
  options?: SearchOptions,
): Promise<SearchResult> {
  const normalised = normaliseQuery(query, options);
  const run = new SearchRun(host, normalised.timeBudgetMs);
  const entries = [...host.entries()].filter((entry) => matchesFilters(entry, normalised.filters));
  if (normalised.mode !== 'words') return pageCandidatesInPathOrder(run, normalised, entries);
  const collection: Array<{ entry: Entry; stats: WordStats }> = [];
  for (const entry of entries) {
    if (run.expired) return pageByScore(run, normalised, collection, true);
    const texts = await readTexts(run, entry);
    if (texts) collection.push({ entry, stats: wordStatsOf(texts, normalised.words) });
  }
  return pageByScore(run, normalised, collection);
}
