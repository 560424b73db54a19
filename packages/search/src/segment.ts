import type { SegmentDocs } from './segment-docs.js';
import type { WordPattern } from './word-patterns.js';

/** Documents (by number within the segment) with their counts of one word. */
export interface TermPostings {
  term: string;
  docs: number[];
  counts: number[];
}

/** Ascending numbers of the documents holding a trigram, and its position mask in each. */
export interface TrigramList {
  docs: Uint32Array;
  masks: Uint8Array;
}

/** Read access shared by persisted segments and the in-memory buffer. */
export interface Segment {
  /** Backend key, or `undefined` for the unflushed buffer. */
  readonly key: string | undefined;
  readonly docs: SegmentDocs;
  /** Relative cost of a trigram's posting list (0: absent). */
  trigramWeight(key: number): number;
  /** The documents containing the trigram, with its position masks in them. */
  trigramPostings(key: number): Promise<TrigramList>;
  /** Postings of every word equal to `word` (exact) or starting with it. */
  termPostings(word: string, prefix: boolean): Promise<TermPostings[]>;
  /** Documents with a word matching `pattern`, ascending; `undefined` when more than `maxWords` words match. */
  wordDocs(pattern: WordPattern, maxWords: number): Promise<Uint32Array | undefined>;
  /** Documents whose words are complete (see `COMPLETE_WORDS_TERM`), ascending. */
  completeDocs(): Promise<Uint32Array>;
}
