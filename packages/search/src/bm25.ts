import { compareKeys } from '@datalake/model';
import type { WordsQuery } from './text.js';

const K1 = 1.2;
const B = 0.75;

/** What words scoring needs to know about one document of the searched collection. */
export interface WordStats {
  /** Number of words in the document (name, content and metadata). */
  length: number;
  /** Occurrences of each query-relevant word (exact words and words starting with the prefix). */
  counts: Map<string, number>;
}

/** Collection-wide figures: the collection is every entry that passes the filters. */
export interface CollectionStats {
  documents: number;
  averageLength: number;
  /** Number of documents containing each word. */
  documentFrequency: Map<string, number>;
}

export function collectionStats(docs: Iterable<WordStats>): CollectionStats {
  let documents = 0;
  let totalLength = 0;
  const documentFrequency = new Map<string, number>();
  for (const doc of docs) {
    documents++;
    totalLength += doc.length;
    for (const word of doc.counts.keys()) documentFrequency.set(word, (documentFrequency.get(word) ?? 0) + 1);
  }
  return { documents, averageLength: documents === 0 ? 0 : totalLength / documents, documentFrequency };
}

/**
 * BM25 score of a document, or `null` unless it contains every exact word and some word with the
 * prefix. Each prefix expansion is scored as its own term; terms are summed in a fixed order so
 * every code path produces bit-identical scores.
 */
export function scoreWords(query: WordsQuery, doc: WordStats, stats: CollectionStats): number | null {
  let score = 0;
  for (const word of query.exact) {
    const count = doc.counts.get(word);
    if (count === undefined) return null;
    score += termScore(count, stats.documentFrequency.get(word) ?? 0, doc.length, stats);
  }
  const expansions = [...doc.counts.keys()].filter((word) => word.startsWith(query.prefix)).sort(compareKeys);
  if (expansions.length === 0) return null;
  for (const word of expansions) {
    score += termScore(doc.counts.get(word) ?? 0, stats.documentFrequency.get(word) ?? 0, doc.length, stats);
  }
  return score;
}

function termScore(count: number, frequency: number, length: number, stats: CollectionStats): number {
  const idf = Math.log(1 + (stats.documents - frequency + 0.5) / (frequency + 0.5));
  const norm = stats.averageLength === 0 ? 1 : length / stats.averageLength;
  return (idf * (count * (K1 + 1))) / (count + K1 * (1 - B + B * norm));
}

/** Whether a word matters to a words query (so stats only keep those). */
export function isQueryWord(query: WordsQuery, word: string): boolean {
  return word.startsWith(query.prefix) || query.exact.includes(word);
}
