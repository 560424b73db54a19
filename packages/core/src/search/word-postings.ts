/** Lists of many words by word number: `docs/counts[offsets[w] .. offsets[w + 1])` belong to word `w`. */
interface WordTable {
  offsets: Uint32Array;
  docs: Uint32Array;
  counts: Uint32Array;
}

const EMPTY_LIST = new Uint32Array(0);

/**
 * Word posting lists (document, count) under construction. Words are numbered on first sight;
 * adding appends to a log, and reading sorts pending postings by word number (a stable counting
 * sort) and merges them into a table. Documents must be added in ascending order (a document added
 * after a read must be numbered above every document added before it), so lists come out ascending.
 */
export class WordPostings {
  private readonly numbers = new Map<string, number>();
  private readonly words: string[] = [];
  private pendingWords = new Uint32Array(1024);
  private pendingDocs = new Uint32Array(1024);
  private pendingCounts = new Uint32Array(1024);
  private pending = 0;
  private table: WordTable = { offsets: new Uint32Array(1), docs: EMPTY_LIST, counts: EMPTY_LIST };

  add(word: string, doc: number, count: number): void {
    let number = this.numbers.get(word);
    if (number === undefined) {
      number = this.words.length;
      this.numbers.set(word, number);
      this.words.push(word);
    }
    if (this.pending === this.pendingWords.length) this.grow();
    this.pendingWords[this.pending] = number;
    this.pendingDocs[this.pending] = doc;
    this.pendingCounts[this.pending++] = count;
  }

  /** Number of documents listing `word`. */
  count(word: string): number {
    const number = this.numbers.get(word);
    if (number === undefined) return 0;
    const { offsets } = this.sealed();
    return (offsets[number + 1] as number) - (offsets[number] as number);
  }

  docs(word: string): Uint32Array {
    return this.column(word, 'docs');
  }

  /** The per-document counts of `word`, in the order of `docs(word)`. */
  counts(word: string): Uint32Array {
    return this.column(word, 'counts');
  }

  /** Every word, in order of first sight. */
  keyList(): readonly string[] {
    return this.words;
  }

  /** Visits every word in UTF-16 order with its documents and counts. */
  forEachSorted(visit: (word: string, docs: Uint32Array, counts: Uint32Array) => void): void {
    const table = this.sealed();
    for (const word of [...this.words].sort()) {
      const number = this.numbers.get(word) as number;
      const from = table.offsets[number] as number;
      const to = table.offsets[number + 1] as number;
      visit(word, table.docs.subarray(from, to), table.counts.subarray(from, to));
    }
  }

  private column(word: string, which: 'docs' | 'counts'): Uint32Array {
    const number = this.numbers.get(word);
    if (number === undefined) return EMPTY_LIST;
    const table = this.sealed();
    return table[which].subarray(table.offsets[number], table.offsets[number + 1]);
  }

  private sealed(): WordTable {
    if (this.pending === 0) return this.table;
    const older = this.table;
    const wordCount = this.words.length;
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

function grown(from: Uint32Array, size: number): Uint32Array<ArrayBuffer> {
  const to = new Uint32Array(size);
  to.set(from);
  return to;
}
