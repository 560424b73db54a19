import type { Segment, TermPostings, TrigramList } from './segment.js';
import { DocList, type DocState } from './segment-docs.js';
import { SegmentEncoder } from './segment-encoder.js';
import { TrigramPostings } from './trigram-postings.js';
import type { TrigramCollector } from './trigrams.js';
import type { WordPattern } from './word-patterns.js';
import { WordPostings } from './word-postings.js';

/** Documents indexed in memory, searchable right away, and encodable as one segment object. */
export class SegmentBuilder implements Segment {
  readonly key = undefined;
  readonly docs = new DocList();
  textBytes = 0;
  private readonly trigrams: TrigramPostings;
  private readonly terms: WordPostings;

  /** `previous`: a builder of about the same size, to size buffers from (its postings counts, no reference kept). */
  constructor(previous?: SegmentBuilder) {
    this.trigrams = new TrigramPostings(roomFor(previous?.trigrams.size ?? 0, 4096));
    this.terms = new WordPostings(roomFor(previous?.terms.size ?? 0, 1024));
  }

  /**
   * Indexes a document's folded text (see `TextFolder`) under the next document number, which it
   * returns. `collector` is scratch space, shared between builders. `state`: whether the text holds
   * the content, or only the name and metadata (the content being binary or too large).
   */
  add(
    doc: { id: string; sha256: string },
    text: Uint8Array,
    collector: TrigramCollector,
    state: Exclude<DocState, 'failed'> = 'indexed',
  ): number {
    const number = this.docs.length;
    collector.collect(text);
    this.trigrams.addAll(collector.keys, collector.masks, number, collector.count);
    const words = this.terms.addDocument(text, number);
    this.docs.add(doc.id, doc.sha256, words, text.length, state);
    this.textBytes += text.length;
    return number;
  }

  /**
   * Records, under the next document number, that a document could not be analysed (`detail`: why).
   * Should `add` have failed half way, its postings belong to this document.
   */
  addFailed(doc: { id: string; sha256: string }, detail: string): number {
    return this.docs.add(doc.id, doc.sha256, 0, 0, 'failed', detail);
  }

  trigramWeight(key: number): number {
    return this.trigrams.count(key);
  }

  async trigramPostings(key: number): Promise<TrigramList> {
    return this.trigrams.list(key);
  }

  async termPostings(word: string, prefix: boolean): Promise<TermPostings[]> {
    return this.terms.find(word, prefix).map((term) => ({
      term: this.terms.term(term),
      docs: [...this.terms.docs(term)],
      counts: [...this.terms.counts(term)],
    }));
  }

  async wordDocs(pattern: WordPattern, maxWords: number): Promise<Uint32Array | undefined> {
    return this.terms.docsMatching(pattern, maxWords);
  }

  async completeDocs(): Promise<Uint32Array> {
    return this.terms.completeDocs();
  }

  /** The segment object (see `SegmentEncoder`). */
  encode(): Uint8Array {
    const out = new SegmentEncoder();
    out.addDocs(this.docs);
    this.trigrams.forEach((key, docs, masks, from, to) => {
      out.postings.taggedDeltas(docs, masks, from, to);
      out.endTrigram(key);
    });
    this.terms.forEachSorted((term, docs, counts, from, to) => {
      out.postings.countedDeltas(docs, counts, from, to);
      out.endTerm(term);
    });
    return out.encode();
  }
}

/** A quarter more than `expected`, so that a similar builder does not have to grow. */
function roomFor(expected: number, least: number): number {
  return Math.max(least, Math.ceil(expected * 1.25));
}
