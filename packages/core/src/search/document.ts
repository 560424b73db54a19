import type { Entry } from '../model/entry.js';
import { type EntryTexts, foldCase, forEachWord } from './text.js';
import type { TrigramCollector } from './trigrams.js';

const utf8 = new TextEncoder();

/** What the index keeps about one document: its trigrams and word counts, never its text. */
export interface IndexedDocument {
  id: string;
  sha256: string;
  /** Number of words (for BM25 length normalisation). */
  words: number;
  /** UTF-8 bytes of the indexed text (for sizing segments). */
  textBytes: number;
  trigrams: number[];
  /** Position mask of each of `trigrams`. */
  trigramMasks: number[];
  counts: Map<string, number>;
}

export function analyseDocument(
  entry: Entry,
  texts: EntryTexts,
  collector: TrigramCollector,
): IndexedDocument {
  const counts = new Map<string, number>();
  let words = 0;
  const folded: string[] = [];
  for (const text of [texts.name, texts.content, texts.metadata]) {
    const fold = foldCase(text);
    folded.push(fold);
    forEachWord(fold, (word) => {
      words++;
      counts.set(word, (counts.get(word) ?? 0) + 1);
    });
  }
  const bytes = utf8.encode(folded.join('\n'));
  const trigrams: number[] = [];
  const trigramMasks: number[] = [];
  collector.collect(bytes, trigrams, trigramMasks);
  return {
    id: entry.id,
    sha256: entry.sha256,
    words,
    textBytes: bytes.length,
    trigrams,
    trigramMasks,
    counts,
  };
}
