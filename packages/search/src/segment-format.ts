import { crc32 } from 'node:zlib';
import type { StorageBackend } from '@datalake/model';
import { CorruptDataError, collectBody } from '@datalake/model';
import { ByteReader } from './bytes.js';
import type { PostingCache } from './posting-cache.js';
import type { Segment, TermPostings, TrigramList } from './segment.js';
import { DOC_STATES, StoredDocs } from './segment-docs.js';
import { COMPLETE_WORDS_BYTES, matchesNoWord, type WordPattern } from './word-patterns.js';
import { unionOf } from './word-postings.js';
import { WordTable } from './word-table.js';

const utf8 = new TextEncoder();
const NO_DOCS = new Uint32Array(0);
const NO_MASKS = new Uint8Array(0);
/** Patterns remembered per segment as matching too many words (see `wordDocs`), at most. */
const CROWDED_PATTERNS = 1024;

/**
 * "DLSEG" + format version 3. Version 2 had no document states (every document was indexed) and is
 * still read; version 1 had no position masks.
 */
export const SEGMENT_MAGIC = new Uint8Array([0x44, 0x4c, 0x53, 0x45, 0x47, 0, 0, 3]);
const VERSION_AT = SEGMENT_MAGIC.length - 1;
const READABLE_VERSIONS = [2, 3];
/** Magic, directory length, directory CRC-32, postings CRC-32. */
const HEADER_BYTES = SEGMENT_MAGIC.length + 12;

/** A segment's posting lists as stored: list `i` of a table spans `offsets[i] .. offsets[i + 1]` of `postings`. */
export interface RawSegment {
  key: string;
  docCount: number;
  trigramKeys: Uint32Array;
  trigramOffsets: Float64Array;
  terms: readonly string[];
  termOffsets: Float64Array;
  postings: Uint8Array;
}

/** A segment object vanished while being read (another instance merged it away). */
export class SegmentGoneError extends Error {}

/**
 * A persisted segment: its directory (documents, trigram and word tables) is loaded when opened,
 * posting lists are range-read on demand. The directory is checksummed on load; posting lists are
 * bounds-checked when decoded, and `verify` checks their checksum.
 */
export class PersistedSegment implements Segment {
  private constructor(
    private readonly backend: StorageBackend,
    readonly key: string,
    readonly docs: StoredDocs,
    private readonly trigramKeys: Uint32Array,
    private readonly trigramOffsets: Float64Array,
    private readonly termTable: Uint8Array,
    private readonly termOffsets: Float64Array,
    private readonly postingsStart: number,
    private readonly postingsCrc: number,
    readonly size: number,
    private readonly cache: PostingCache | undefined,
  ) {}

  private decodedTerms: string[] | undefined;
  /** The words as one byte string, for finding those matching a pattern (see `wordDocs`). */
  private wordTable: WordTable | undefined;
  /** Patterns known to match more words than asked for (the answer was `undefined`). */
  private readonly crowded = new Set<string>();

  static async open(backend: StorageBackend, key: string, cache?: PostingCache): Promise<PersistedSegment> {
    const first = await backend.get(key, { range: { start: 0, end: HEADER_BYTES - 1 } });
    if (!first) throw new SegmentGoneError(key);
    const header = await collectBody(first.body);
    const version = header[VERSION_AT] as number;
    if (
      header.length < HEADER_BYTES ||
      !SEGMENT_MAGIC.subarray(0, VERSION_AT).every((byte, i) => header[i] === byte) ||
      !READABLE_VERSIONS.includes(version)
    )
      throw new CorruptDataError(`search index segment ${key} has no valid header ${headerProblem(header)}`);
    const view = new DataView(header.buffer, header.byteOffset, header.byteLength);
    const directoryLength = view.getUint32(8);
    const directory = await readRange(backend, key, HEADER_BYTES, HEADER_BYTES + directoryLength - 1);
    if (directory.length !== directoryLength || crc32(directory) !== view.getUint32(12))
      throw new CorruptDataError(`search index segment ${key} failed its directory checksum`);
    return PersistedSegment.decode(
      backend,
      key,
      version,
      directory,
      HEADER_BYTES + directoryLength,
      view.getUint32(16),
      first.size,
      cache,
    );
  }

  private static decode(
    backend: StorageBackend,
    key: string,
    version: number,
    directory: Uint8Array,
    postingsStart: number,
    postingsCrc: number,
    size: number,
    cache: PostingCache | undefined,
  ): PersistedSegment {
    const reader = new ByteReader(directory, `segment ${key}`);
    const docCount = reader.varint();
    const docs = new StoredDocs(docCount);
    for (let i = 0; i < docCount; i++) {
      const id = reader.utf8(reader.varint());
      const sha256At = reader.offset;
      reader.skip(32);
      const words = reader.varint();
      const textBytes = reader.varint();
      const state = version >= 3 ? reader.varint() : 0;
      if (state >= DOC_STATES.length) throw reader.corrupt(`unknown document state ${state}`);
      const detail = DOC_STATES[state] === 'failed' ? reader.utf8(reader.varint()) : undefined;
      docs.set(i, id, directory, sha256At, words, textBytes, state, detail);
    }
    const trigramCount = reader.varint();
    const trigramKeys = new Uint32Array(trigramCount);
    const trigramOffsets = new Float64Array(trigramCount + 1);
    let trigram = 0;
    let offset = 0;
    for (let i = 0; i < trigramCount; i++) {
      trigram += reader.varint();
      trigramKeys[i] = trigram;
      trigramOffsets[i] = offset;
      offset += reader.varint();
    }
    trigramOffsets[trigramCount] = offset;
    const termCount = reader.varint();
    const termTableStart = reader.offset;
    const termOffsets = new Float64Array(termCount + 1);
    for (let i = 0; i < termCount; i++) {
      reader.varint();
      reader.skip(reader.varint());
      termOffsets[i] = offset;
      offset += reader.varint();
    }
    termOffsets[termCount] = offset;
    if (!reader.done || postingsStart + offset !== size) throw reader.corrupt('sizes do not add up');
    return new PersistedSegment(
      backend,
      key,
      docs,
      trigramKeys,
      trigramOffsets,
      // A copy: the rest of the directory is not kept.
      directory.slice(termTableStart, reader.offset),
      termOffsets,
      postingsStart,
      postingsCrc,
      size,
      cache,
    );
  }

  /**
   * The words, in order, decoded from the word table on first use (opening a segment only locates
   * their posting lists): most lakes answer substring queries and never need them.
   */
  private get terms(): readonly string[] {
    if (this.decodedTerms) return this.decodedTerms;
    const reader = new ByteReader(this.termTable, `segment ${this.key}`);
    const terms: string[] = [];
    let previous = '';
    while (!reader.done) {
      const shared = reader.varint();
      const term = previous.slice(0, shared) + reader.utf8(reader.varint());
      reader.varint();
      terms.push(term);
      previous = term;
    }
    this.decodedTerms = terms;
    return terms;
  }

  trigramWeight(key: number): number {
    const at = this.findTrigram(key);
    return at < 0 ? 0 : (this.trigramOffsets[at + 1] as number) - (this.trigramOffsets[at] as number);
  }

  async trigramPostings(key: number): Promise<TrigramList> {
    const at = this.findTrigram(key);
    if (at < 0) return { docs: new Uint32Array(0), masks: new Uint8Array(0) };
    const cacheKey = `${this.key}\u0000${key}`;
    const cached = this.cache?.get(cacheKey);
    if (cached) return cached;
    const bytes = await this.readPostings(
      this.trigramOffsets[at] as number,
      this.trigramOffsets[at + 1] as number,
    );
    const list = this.decodeTrigramList(bytes);
    this.cache?.set(cacheKey, list);
    return list;
  }

  /**
   * Keeps a trigram's list, known from elsewhere (the builder this segment was written from), in the
   * posting cache as if it had been read.
   */
  warmTrigram(key: number, list: TrigramList): void {
    if (this.findTrigram(key) < 0 || list.docs.length === 0) return;
    this.cache?.set(`${this.key}\u0000${key}`, { docs: list.docs.slice(), masks: list.masks.slice() });
  }

  /** Delta-coded ascending document numbers, each followed by its mask byte. */
  private decodeTrigramList(bytes: Uint8Array): TrigramList {
    const docs = new Uint32Array(bytes.length >>> 1);
    const masks = new Uint8Array(docs.length);
    const limit = this.docs.length;
    let count = 0;
    let number = -1;
    let offset = 0;
    while (offset < bytes.length) {
      let delta = 0;
      let shift = 0;
      let byte: number;
      do {
        if (offset >= bytes.length || shift > 28) throw this.corrupt('truncated varint');
        byte = bytes[offset++] as number;
        delta += (byte & 0x7f) * 2 ** shift;
        shift += 7;
      } while (byte >= 0x80);
      number += delta + 1;
      if (number >= limit) throw this.corrupt('posting out of range');
      if (offset >= bytes.length) throw this.corrupt('truncated posting');
      masks[count] = bytes[offset++] as number;
      docs[count++] = number;
    }
    return count === docs.length
      ? { docs, masks }
      : { docs: docs.slice(0, count), masks: masks.slice(0, count) };
  }

  private corrupt(problem: string): CorruptDataError {
    return new CorruptDataError(`search index segment ${this.key} is corrupt: ${problem}`);
  }

  async termPostings(word: string, prefix: boolean): Promise<TermPostings[]> {
    let low = lowerBound(this.terms, word);
    let high = low;
    if (prefix) while (high < this.terms.length && (this.terms[high] as string).startsWith(word)) high++;
    else if (this.terms[low] === word) high = low + 1;
    if (low === high) return [];
    const base = this.termOffsets[low] as number;
    const bytes = await this.readPostings(base, this.termOffsets[high] as number);
    const out: TermPostings[] = [];
    for (; low < high; low++) {
      const slice = bytes.subarray(
        (this.termOffsets[low] as number) - base,
        (this.termOffsets[low + 1] as number) - base,
      );
      const reader = new ByteReader(slice, `segment ${this.key}`);
      const postings: TermPostings = { term: this.terms[low] as string, docs: [], counts: [] };
      let number = -1;
      while (!reader.done) {
        number += reader.varint() + 1;
        if (number >= this.docs.length) throw reader.corrupt('posting out of range');
        postings.docs.push(number);
        postings.counts.push(reader.varint());
      }
      out.push(postings);
    }
    return out;
  }

  async wordDocs(pattern: WordPattern, maxWords: number): Promise<Uint32Array | undefined> {
    if (matchesNoWord(pattern)) return NO_DOCS;
    const name = `${pattern.kind}:${pattern.text}`;
    if (this.crowded.has(`${maxWords}:${name}`)) return undefined;
    const cached = this.cache?.get(`${this.key}\u0000w${name}`);
    if (cached) return cached.docs;
    const words = this.wordsMatching(pattern, maxWords);
    const docs = words && unionOf(await this.docsOfWords(words));
    this.warmWordDocs(pattern, maxWords, docs);
    return docs;
  }

  /** Keeps the answer of `wordDocs` for a pattern, known from elsewhere (see `warmTrigram`). */
  warmWordDocs(pattern: WordPattern, maxWords: number, docs: Uint32Array | undefined): void {
    const name = `${pattern.kind}:${pattern.text}`;
    if (docs) {
      this.cache?.set(`${this.key}\u0000w${name}`, { docs, masks: NO_MASKS });
      return;
    }
    if (this.crowded.size >= CROWDED_PATTERNS) this.crowded.clear();
    this.crowded.add(`${maxWords}:${name}`);
  }

  async completeDocs(): Promise<Uint32Array> {
    const cached = this.cache?.get(`${this.key}\u0000complete`);
    if (cached) return cached.docs;
    // The term sorts before every word (it is the lowest character): the first, if there.
    const docs = this.firstTermIs(COMPLETE_WORDS_BYTES)
      ? ((await this.docsOfWords([0]))[0] ?? NO_DOCS)
      : NO_DOCS;
    this.warmCompleteDocs(docs);
    return docs;
  }

  /** Keeps the answer of `completeDocs`, known from elsewhere (see `warmTrigram`). */
  warmCompleteDocs(docs: Uint32Array): void {
    this.cache?.set(`${this.key}\u0000complete`, { docs, masks: NO_MASKS });
  }

  /** Numbers of the words matching `pattern`, ascending, or `undefined` once more than `max` do. */
  private wordsMatching(pattern: WordPattern, max: number): number[] | undefined {
    this.wordTable ??= WordTable.decode(this.termTable, this.termOffsets.length - 1, `segment ${this.key}`);
    return this.wordTable.matching(utf8.encode(pattern.text), pattern.kind, max);
  }

  /** Whether the first word of the word table is `word` (no shared prefix, then its bytes). */
  private firstTermIs(word: Uint8Array): boolean {
    if (this.termOffsets.length < 2) return false;
    const reader = new ByteReader(this.termTable, `segment ${this.key}`);
    if (reader.varint() !== 0 || reader.varint() !== word.length) return false;
    const bytes = reader.bytes(word.length);
    return bytes.every((byte, i) => byte === word[i]);
  }

  /** The documents of each of the given words (ascending numbers), one range read per run of neighbours. */
  private async docsOfWords(words: readonly number[]): Promise<Uint32Array[]> {
    const lists: Uint32Array[] = [];
    let i = 0;
    while (i < words.length) {
      let j = i + 1;
      while (j < words.length && words[j] === (words[j - 1] as number) + 1) j++;
      const low = words[i] as number;
      const high = (words[j - 1] as number) + 1;
      const base = this.termOffsets[low] as number;
      const bytes = await this.readPostings(base, this.termOffsets[high] as number);
      for (let word = low; word < high; word++) {
        const slice = bytes.subarray(
          (this.termOffsets[word] as number) - base,
          (this.termOffsets[word + 1] as number) - base,
        );
        lists.push(this.decodeWordDocs(slice));
      }
      i = j;
    }
    return lists;
  }

  /** The ascending document numbers of a word's list (gap-coded numbers, each followed by a count). */
  private decodeWordDocs(bytes: Uint8Array): Uint32Array {
    const reader = new ByteReader(bytes, `segment ${this.key}`);
    const docs: number[] = [];
    let number = -1;
    while (!reader.done) {
      number += reader.varint() + 1;
      if (number >= this.docs.length) throw reader.corrupt('posting out of range');
      docs.push(number);
      reader.varint();
    }
    return Uint32Array.from(docs);
  }

  /** The whole postings block (checksum verified) with the tables locating each list in it (for merging). */
  async readRaw(): Promise<RawSegment> {
    const bytes = await this.readPostings(0, this.termOffsets[this.termOffsets.length - 1] as number);
    if (crc32(bytes) !== this.postingsCrc)
      throw new CorruptDataError(`search index segment ${this.key} failed its postings checksum`);
    return {
      key: this.key,
      docCount: this.docs.length,
      trigramKeys: this.trigramKeys,
      trigramOffsets: this.trigramOffsets,
      terms: this.terms,
      termOffsets: this.termOffsets,
      postings: bytes,
    };
  }

  /** Reads the whole postings block and compares its checksum. */
  async verify(): Promise<void> {
    const bytes = await this.readPostings(0, this.termOffsets[this.termOffsets.length - 1] as number);
    if (crc32(bytes) !== this.postingsCrc)
      throw new CorruptDataError(`search index segment ${this.key} failed its postings checksum`);
  }

  private async readPostings(start: number, end: number): Promise<Uint8Array> {
    if (end <= start) return new Uint8Array(0);
    const bytes = await readRange(
      this.backend,
      this.key,
      this.postingsStart + start,
      this.postingsStart + end - 1,
    );
    if (bytes.length !== end - start)
      throw new CorruptDataError(`search index segment ${this.key} is truncated`);
    return bytes;
  }

  private findTrigram(key: number): number {
    let low = 0;
    let high = this.trigramKeys.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if ((this.trigramKeys[middle] as number) < key) low = middle + 1;
      else high = middle;
    }
    return this.trigramKeys[low] === key ? low : -1;
  }
}

async function readRange(
  backend: StorageBackend,
  key: string,
  start: number,
  end: number,
): Promise<Uint8Array> {
  const result = await backend.get(key, { range: { start, end } });
  if (!result) throw new SegmentGoneError(key);
  return collectBody(result.body);
}

function headerProblem(header: Uint8Array): string {
  const sameFamily =
    header.length > VERSION_AT && SEGMENT_MAGIC.subarray(0, VERSION_AT).every((b, i) => header[i] === b);
  return sameFamily
    ? `(format version ${header[VERSION_AT]}, expected one of ${READABLE_VERSIONS.join(', ')})`
    : '(not a segment object)';
}

function lowerBound(sorted: readonly string[], value: string): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((sorted[middle] as string) < value) low = middle + 1;
    else high = middle;
  }
  return low;
}
