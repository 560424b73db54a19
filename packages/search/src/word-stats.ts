import type { WordStats } from './bm25.js';
import { isQueryWord } from './bm25.js';
import { type EntryTexts, foldCase, forEachWord, type WordsQuery } from './text.js';

/** Word statistics of one document, keeping counts only for words relevant to the query. */
export function wordStatsOf(texts: EntryTexts, query: WordsQuery): WordStats {
  const counts = new Map<string, number>();
  let length = 0;
  for (const text of [texts.name, texts.content, texts.metadata]) {
    forEachWord(foldCase(text), (word) => {
      length++;
      if (isQueryWord(query, word)) counts.set(word, (counts.get(word) ?? 0) + 1);
    });
  }
  return { length, counts };
}
