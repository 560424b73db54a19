import type { NotIndexedReason } from './content-rule.js';

/**
 * How a document holds its entry: `indexed` (name, content and metadata), or the reason its content
 * is not in the index (name and metadata are; a `failed` document holds neither, see `SearchIndex`).
 */
export type DocState = 'indexed' | NotIndexedReason;

/** Document states as stored (their numbers are part of the segment format). */
export const DOC_STATES: readonly DocState[] = ['indexed', 'binary', 'too-large', 'failed'];

/**
 * The documents of a segment by number: the entry each was indexed from, the SHA-256 of the content
 * it was indexed with, and its sizes. Column-wise, so that a lake of many entries holds a few arrays
 * per segment rather than an object (and a hash string) per document.
 */
export interface SegmentDocs {
  readonly length: number;
  id(doc: number): string;
  /** Whether the document was indexed from content with this SHA-256 (lower-case hexadecimal). */
  hasSha256(doc: number, sha256: string): boolean;
  sha256(doc: number): string;
  /** Number of words (for BM25 length normalisation). */
  words(doc: number): number;
  /** UTF-8 bytes of the indexed text (for sizing segments). */
  textBytes(doc: number): number;
  state(doc: number): DocState;
  /** For a `failed` document: what went wrong. */
  detail(doc: number): string | undefined;
}

/** Documents added one by one (a segment being built, or the kept documents of a merge). */
export class DocList implements SegmentDocs {
  private readonly ids: string[] = [];
  private readonly hashes: string[] = [];
  private readonly wordCounts: number[] = [];
  private readonly sizes: number[] = [];
  /** States other than `indexed`, by document number (most documents are indexed). */
  private readonly unusual = new Map<number, { state: DocState; detail: string | undefined }>();

  get length(): number {
    return this.ids.length;
  }

  /** Appends a document; returns its number. */
  add(
    id: string,
    sha256: string,
    words: number,
    textBytes: number,
    state: DocState = 'indexed',
    detail?: string,
  ): number {
    const doc = this.ids.length;
    this.ids.push(id);
    this.hashes.push(sha256);
    this.wordCounts.push(words);
    this.sizes.push(textBytes);
    if (state !== 'indexed') this.unusual.set(doc, { state, detail });
    return doc;
  }

  /** Appends document `doc` of `from`; returns its number here. */
  addFrom(from: SegmentDocs, doc: number): number {
    return this.add(
      from.id(doc),
      from.sha256(doc),
      from.words(doc),
      from.textBytes(doc),
      from.state(doc),
      from.detail(doc),
    );
  }

  state(doc: number): DocState {
    return this.unusual.get(doc)?.state ?? 'indexed';
  }

  detail(doc: number): string | undefined {
    return this.unusual.get(doc)?.detail;
  }

  id(doc: number): string {
    return this.ids[doc] as string;
  }

  hasSha256(doc: number, sha256: string): boolean {
    return this.hashes[doc] === sha256;
  }

  sha256(doc: number): string {
    return this.hashes[doc] as string;
  }

  words(doc: number): number {
    return this.wordCounts[doc] as number;
  }

  textBytes(doc: number): number {
    return this.sizes[doc] as number;
  }
}

const SHA256_BYTES = 32;
const HEX_DIGITS = '0123456789abcdef';

/** The documents of a stored segment, as decoded from its directory. */
export class StoredDocs implements SegmentDocs {
  readonly length: number;
  private readonly ids: string[];
  /** `SHA256_BYTES` per document. */
  private readonly hashes: Uint8Array;
  private readonly wordCounts: Uint32Array;
  private readonly sizes: Float64Array;
  /** Index into `DOC_STATES` per document. */
  private readonly states: Uint8Array;
  private readonly details = new Map<number, string>();

  constructor(count: number) {
    this.length = count;
    this.ids = new Array<string>(count);
    this.hashes = new Uint8Array(count * SHA256_BYTES);
    this.wordCounts = new Uint32Array(count);
    this.sizes = new Float64Array(count);
    this.states = new Uint8Array(count);
  }

  /** Fills in document `doc` (each number once, while decoding); its SHA-256 is `bytes[at .. at + 32)`. */
  set(
    doc: number,
    id: string,
    bytes: Uint8Array,
    at: number,
    words: number,
    textBytes: number,
    state = 0,
    detail?: string,
  ): void {
    this.ids[doc] = id;
    const hashes = this.hashes;
    const to = doc * SHA256_BYTES;
    for (let i = 0; i < SHA256_BYTES; i++) hashes[to + i] = bytes[at + i] as number;
    this.wordCounts[doc] = words;
    this.sizes[doc] = textBytes;
    this.states[doc] = state;
    if (detail !== undefined) this.details.set(doc, detail);
  }

  state(doc: number): DocState {
    return DOC_STATES[this.states[doc] as number] as DocState;
  }

  detail(doc: number): string | undefined {
    return this.details.get(doc);
  }

  id(doc: number): string {
    return this.ids[doc] as string;
  }

  hasSha256(doc: number, sha256: string): boolean {
    if (sha256.length !== 2 * SHA256_BYTES) return false;
    const at = doc * SHA256_BYTES;
    for (let i = 0; i < SHA256_BYTES; i++) {
      const byte = this.hashes[at + i] as number;
      if (
        sha256.charCodeAt(2 * i) !== HEX_DIGITS.charCodeAt(byte >>> 4) ||
        sha256.charCodeAt(2 * i + 1) !== HEX_DIGITS.charCodeAt(byte & 0x0f)
      )
        return false;
    }
    return true;
  }

  sha256(doc: number): string {
    const at = doc * SHA256_BYTES;
    return Buffer.from(this.hashes.buffer, this.hashes.byteOffset + at, SHA256_BYTES).toString('hex');
  }

  words(doc: number): number {
    return this.wordCounts[doc] as number;
  }

  textBytes(doc: number): number {
    return this.sizes[doc] as number;
  }
}
