import { expect } from 'vitest';
import { type SearchIndex, scanSearch } from '../../src/index.js';
import type { SearchOptions, SearchResult } from '../../src/types.js';
import type { TestHost } from './search-host.js';

/** Every page of a search, following its cursors (a runaway cursor fails instead of looping). */
export async function collectPages(page: (cursor: string | undefined) => Promise<SearchResult>) {
  const pages: SearchResult[] = [];
  let cursor: string | undefined;
  for (let i = 0; i < 200; i++) {
    const result = await page(cursor);
    pages.push(result);
    cursor = result.cursor;
    if (cursor === undefined) return pages;
  }
  throw new Error('more than 200 pages');
}

/** The index answers a query page by page exactly as the brute-force scan of the same documents. */
export async function expectSameAsScan(
  index: SearchIndex,
  host: TestHost,
  query: string,
  options: SearchOptions,
) {
  const scanned = await collectPages((cursor) => scanSearch(host, query, { ...options, cursor }));
  const indexed = await collectPages((cursor) => index.search(query, { ...options, cursor }));
  expect(indexed).toEqual(scanned);
}

/** A literal text as a regular expression source. */
export function escapeRegex(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&');
}
