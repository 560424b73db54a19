import { grown } from './bytes.js';
import { TermDictionary } from './term-dictionary.js';
import { scanWords, type WordSink, wordHash } from './word-bytes.js';
import {
  COMPLETE_WORDS_BYTES,
  COMPLETE_WORDS_TERM,
  matchesNoWord,
  type WordPattern,
} from './word-patterns.js';

/** Lists of many words by word number: `docs/counts[offsets[w] .. offsets[w + 1])` belong to word `w`. */
interface WordTable {
  offsets: Uint32Array;
  docs: Uint32Array;
  counts: Uint32Array;
}

const EMPTY_LIST = new Uint32Array(0);
const utf8 = new TextEncoder();
const COMPLETE_WORDS_HASH = wordHash(COMPLETE_WORDS_BYTES);

/**
 * Word posting lists (document, count) under construction. Words are read from a document's folded
 * UTF-8 text (`scanWords`) and numbered on first sight (`TermDictionary`); adding appends to a log,
 * and reading sorts pending postings by word number (a stable counting sort) and merges them into a
 * table. Documents must be added in ascending order (a document added after a read must be numbered
 * above every document added before it), so lists come out ascending.
 */
export class WordPostings implements WordSink {
  private readonly dictionary = new TermDictionary();
  private pendingWords: Uint32Array<ArrayBuffer>;
  private pendingDocs: Uint32Array<ArrayBuffer>;
  private pendingCounts: Uint32Array<ArrayBuffer>;
  private pending = 0;
  private table: WordTable = { offsets: new Uint32Array(1), docs: EMPTY_LIST, counts: EMPTY_LIST };
  /** Occurrences per word number in the document being added, and the words it touched. */
  private documentCounts = new Uint32Array(1024);
  private touched = new Uint32Array(1024);
  private touchedCount = 0;
  /** Whether the document being added has a run of word characters too long to be a word. */
  private incomplete = false;

  /** `expected`: postings room to start with (growing is by doubling, which costs copies). */
  constructor(expected = 1024) {
    this.pendingWords = new Uint32Array(expected);
    this.pendingDocs = new Uint32Array(expected);
    this.pendingCounts = new Uint32Array(expected);
  }

  /** Number of (word, document) postings. */
  get size(): number {
    return this.table.docs.length + this.pending;
  }

  /** Lists `doc` under each word of its folded text with its number of occurrences; returns the number of words. */
  addDocument(text: Uint8Array, doc: number): number {
    this.incomplete = false;
    const words = scanWords(text, this);
    // Listed under COMPLETE_WORDS_TERM (not counted as a word): its words can rule it out.
    if (!this.incomplete)
      this.word(COMPLETE_WORDS_BYTES, 0, COMPLETE_WORDS_BYTES.length, COMPLETE_WORDS_HASH);
    for (let i = 0; i < this.touchedCount; i++) {
      const word = this.touched[i] as number;
      this.append(word, doc, this.documentCounts[word] as number);
      this.documentCounts[word] = 0;
    }
    this.touchedCount = 0;
    return words;
  }

  /** Counts one occurrence (called back by `scanWords`). */
  word(bytes: Uint8Array, start: number, end: number, hash: number): void {
    const word = this.dictionary.intern(bytes, start, end, hash);
    if (word >= this.documentCounts.length) this.documentCounts = grown(this.documentCounts, word + 1);
    const count = this.documentCounts[word] as number;
    if (count === 0) {
      if (this.touchedCount === this.touched.length)
        this.touched = grown(this.touched, this.touchedCount + 1);
      this.touched[this.touchedCount++] = word;
    }
    this.documentCounts[word] = count + 1;
  }

  /** Notes a run of word characters too long to be a word (called back by `scanWords`). */
  tooLong(): void {
    this.incomplete = true;
  }

  /** Documents with a word matching `pattern`, ascending; `undefined` when more than `maxWords` words do. */
  docsMatching(pattern: WordPattern, maxWords: number): Uint32Array | undefined {
    if (matchesNoWord(pattern)) return EMPTY_LIST;
    const words = this.dictionary.matching(utf8.encode(pattern.text), pattern.kind, maxWords);
    return words && unionOf(words.map((word) => this.docs(word)));
  }

  /** Documents whose words are complete (see `COMPLETE_WORDS_TERM`), ascending. */
  completeDocs(): Uint32Array {
    const word = this.dictionary.find(COMPLETE_WORDS_TERM);
    return word < 0 ? EMPTY_LIST : this.docs(word);
  }

  /** Numbers of the words equal to `word` (exact) or starting with it. */
  find(word: string, prefix: boolean): number[] {
    if (prefix) return this.dictionary.withPrefix(word);
    const found = this.dictionary.find(word);
    return found < 0 ? [] : [found];
  }

  term(word: number): string {
    return this.dictionary.term(word);
  }

  /** Documents listing word number `word`, ascending. */
  docs(word: number): Uint32Array {
    const table = this.sealed();
    return table.docs.subarray(table.offsets[word], table.offsets[word + 1]);
  }

  /** The per-document counts of word number `word`, in the order of `docs(word)`. */
  counts(word: number): Uint32Array {
    const table = this.sealed();
    return table.counts.subarray(table.offsets[word], table.offsets[word + 1]);
  }

  /**
   * Visits every word (UTF-8 bytes, a view) in UTF-16 order with its documents and counts:
   * `docs/counts[from .. to)` (shared arrays; do not modify).
   */
  forEachSorted(
    visit: (word: Uint8Array, docs: Uint32Array, counts: Uint32Array, from: number, to: number) => void,
  ): void {
    const { offsets, docs, counts } = this.sealed();
    for (const word of this.dictionary.sorted())
      visit(
        this.dictionary.termBytes(word),
        docs,
        counts,
        offsets[word] as number,
        offsets[word + 1] as number,
      );
  }

  private append(word: number, doc: number, count: number): void {
    if (this.pending === this.pendingWords.length) this.grow();
    this.pendingWords[this.pending] = word;
    this.pendingDocs[this.pending] = doc;
    this.pendingCounts[this.pending++] = count;
  }

  private sealed(): WordTable {
    if (this.pending === 0) return this.table;
    const older = this.table;
    const wordCount = this.dictionary.size;
    const olderWords = older.offsets.length - 1;
    // Each word's list: its older postings, then its pending ones in the order they were added.
    const offsets = new Uint32Array(wordCount + 1);
    for (let w = 0; w < wordCount; w++) {
      const kept = w < olderWords ? (older.offsets[w + 1] as number) - (older.offsets[w] as number) : 0;
      offsets[w + 1] = kept;
    }
    for (let i = 0; i < this.pending; i++) {
      const slot = (this.pendingWords[i] as number) + 1;
      offsets[slot] = (offsets[slot] as number) + 1;
    }
    for (let w = 0; w < wordCount; w++) offsets[w + 1] = (offsets[w + 1] as number) + (offsets[w] as number);
    const total = offsets[wordCount] as number;
    const docs = new Uint32Array(total);
    const counts = new Uint32Array(total);
    const next = offsets.slice(0, wordCount);
    for (let w = 0; w < olderWords; w++) {
      const from = older.offsets[w] as number;
      const to = older.offsets[w + 1] as number;
      docs.set(older.docs.subarray(from, to), offsets[w]);
      counts.set(older.counts.subarray(from, to), offsets[w]);
      next[w] = (next[w] as number) + (to - from);
    }
    for (let i = 0; i < this.pending; i++) {
      const w = this.pendingWords[i] as number;
      const at = next[w] as number;
      next[w] = at + 1;
      docs[at] = this.pendingDocs[i] as number;
      counts[at] = this.pendingCounts[i] as number;
    }
    this.pending = 0;
    this.table = { offsets, docs, counts };
    return this.table;
  }

  private grow(): void {
    const size = this.pendingWords.length * 2;
    this.pendingWords = grown(this.pendingWords, size);
    this.pendingDocs = grown(this.pendingDocs, size);
    this.pendingCounts = grown(this.pendingCounts, size);
  }
}

/** The ascending union of ascending document lists. */
export function unionOf(lists: readonly Uint32Array[]): Uint32Array {
  if (lists.length === 0) return EMPTY_LIST;
  if (lists.length === 1) return lists[0] as Uint32Array;
  const all = new Uint32Array(lists.reduce((sum, list) => sum + list.length, 0));
  let filled = 0;
  for (const list of lists) {
    all.set(list, filled);
    filled += list.length;
  }
  all.sort();
  let kept = 0;
  for (let i = 0; i < all.length; i++)
    if (kept === 0 || all[i] !== all[kept - 1]) all[kept++] = all[i] as number;
  return all.subarray(0, kept);
}
