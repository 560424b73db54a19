import type { IndexedDocument } from './document.js';
import type { Segment, SegmentDoc, TermPostings, TrigramList } from './segment.js';
import { SegmentEncoder } from './segment-encoder.js';
import { TrigramPostings } from './trigram-postings.js';
import { WordPostings } from './word-postings.js';

/** Documents indexed in memory, searchable right away, and encodable as one segment object. */
export class SegmentBuilder implements Segment {
  readonly key = undefined;
  readonly docs: SegmentDoc[] = [];
  textBytes = 0;
  private readonly trigrams = new TrigramPostings();
  private readonly terms = new WordPostings();

  add(doc: IndexedDocument): number {
    const number = this.docs.length;
    this.docs.push({ id: doc.id, sha256: doc.sha256, words: doc.words, textBytes: doc.textBytes });
    this.textBytes += doc.textBytes;
    this.trigrams.addAll(doc.trigrams, doc.trigramMasks, number);
    for (const [term, count] of doc.counts) this.terms.add(term, number, count);
    return number;
  }

  trigramWeight(key: number): number {
    return this.trigrams.count(key);
  }

  async trigramPostings(key: number): Promise<TrigramList> {
    return this.trigrams.list(key);
  }

  async termPostings(word: string, prefix: boolean): Promise<TermPostings[]> {
    const matching = prefix
      ? this.terms.keyList().filter((term) => term.startsWith(word))
      : this.terms.count(word) > 0
        ? [word]
        : [];
    return matching.map((term) => ({
      term,
      docs: [...this.terms.docs(term)],
      counts: [...this.terms.counts(term)],
    }));
  }

  /** The segment object (see `SegmentEncoder`). */
  encode(): Uint8Array {
    const out = new SegmentEncoder();
    for (const doc of this.docs) out.addDoc(doc);
    this.trigrams.forEach((key, list) => {
      out.postings.taggedDeltas(list.docs, list.masks);
      out.endTrigram(key);
    });
    this.terms.forEachSorted((term, docs, counts) => {
      let previous = -1;
      for (let i = 0; i < docs.length; i++) {
        out.postings.varint((docs[i] as number) - previous - 1);
        out.postings.varint(counts[i] as number);
        previous = docs[i] as number;
      }
      out.endTerm(term);
    });
    return out.encode();
  }
}
