import { crc32 } from 'node:zlib';
import { ByteWriter } from './bytes.js';
import type { IndexedDocument } from './document.js';
import type { Segment, SegmentDoc, TermPostings, TrigramList } from './segment.js';
import { SEGMENT_MAGIC } from './segment-format.js';
import { TrigramPostings } from './trigram-postings.js';
import { WordPostings } from './word-postings.js';

const utf8 = new TextEncoder();

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

  /** Appends a posting of another segment's document, renumbered (used when merging). */
  addTrigramPosting(key: number, number: number, mask: number): void {
    this.trigrams.add(key, number, mask);
  }

  /** Appends a word posting of another segment's document, renumbered (used when merging). */
  addTermPosting(term: string, number: number, count: number): void {
    this.terms.add(term, number, count);
  }

  addDoc(doc: SegmentDoc): number {
    this.docs.push(doc);
    this.textBytes += doc.textBytes;
    return this.docs.length - 1;
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

  /** The segment object: header, directory (docs, trigram and term tables), postings. */
  encode(): Uint8Array {
    const postings = new ByteWriter();
    const directory = new ByteWriter();
    directory.varint(this.docs.length);
    for (const doc of this.docs) {
      const id = utf8.encode(doc.id);
      directory.varint(id.length);
      directory.bytes(id);
      directory.bytes(Buffer.from(doc.sha256, 'hex'));
      directory.varint(doc.words);
      directory.varint(doc.textBytes);
    }
    directory.varint(this.trigrams.keyCount);
    let previousKey = 0;
    this.trigrams.forEach((key, list) => {
      const start = postings.length;
      postings.taggedDeltas(list.docs, list.masks);
      directory.varint(key - previousKey);
      directory.varint(postings.length - start);
      previousKey = key;
    });
    // UTF-16 order, as the readers binary-search with `<`.
    directory.varint(this.terms.keyList().length);
    let previousTerm = '';
    this.terms.forEachSorted((term, docs, counts) => {
      const start = postings.length;
      let previous = -1;
      for (let i = 0; i < docs.length; i++) {
        postings.varint((docs[i] as number) - previous - 1);
        postings.varint(counts[i] as number);
        previous = docs[i] as number;
      }
      let shared = 0;
      while (shared < term.length && shared < previousTerm.length && term[shared] === previousTerm[shared])
        shared++;
      // Never split a surrogate pair between the shared part and the suffix.
      if (shared > 0 && isLowSurrogate(term.charCodeAt(shared))) shared--;
      const suffix = utf8.encode(term.slice(shared));
      directory.varint(shared);
      directory.varint(suffix.length);
      directory.bytes(suffix);
      directory.varint(postings.length - start);
      previousTerm = term;
    });
    const directoryBytes = directory.result();
    const postingBytes = postings.result();
    const out = new ByteWriter();
    out.bytes(SEGMENT_MAGIC);
    out.u32(directoryBytes.length);
    out.u32(crc32(directoryBytes));
    out.u32(crc32(postingBytes));
    out.bytes(directoryBytes);
    out.bytes(postingBytes);
    return out.result();
  }
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}
