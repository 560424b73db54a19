import type { Entry } from '../model/entry.js';
import type { WordStats } from './bm25.js';
import { matchesFilters } from './filters.js';
import type { SearchHost } from './host.js';
import { normaliseQuery } from './options.js';
import { pageByScore, pageInPathOrder, readTexts } from './paging.js';
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
  const entries = [...host.entries()].filter((entry) => matchesFilters(entry, normalised.filters));
  if (normalised.mode !== 'words') return pageInPathOrder(host, normalised, entries);
  const collection: Array<{ entry: Entry; stats: WordStats }> = [];
  for (const entry of entries) {
    collection.push({ entry, stats: wordStatsOf(await readTexts(host, entry), normalised.words) });
  }
  return pageByScore(host, normalised, collection);
}
