/** A document as listed in a segment. */
export interface SegmentDoc {
  id: string;
  sha256: string;
  words: number;
  textBytes: number;
}

/** Documents (by number within the segment) with their counts of one word. */
export interface TermPostings {
  term: string;
  docs: number[];
  counts: number[];
}

/** Read access shared by persisted segments and the in-memory buffer. */
export interface Segment {
  /** Backend key, or `undefined` for the unflushed buffer. */
  readonly key: string | undefined;
  readonly docs: readonly SegmentDoc[];
  /** Relative cost of a trigram's posting list (0: absent). */
  trigramWeight(key: number): number;
  /** Ascending numbers of the documents containing the trigram. */
  trigramDocs(key: number): Promise<ArrayLike<number>>;
  /** Postings of every word equal to `word` (exact) or starting with it. */
  termPostings(word: string, prefix: boolean): Promise<TermPostings[]>;
}
