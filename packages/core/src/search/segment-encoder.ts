import { crc32 } from 'node:zlib';
import { ByteWriter } from './bytes.js';
import type { SegmentDoc } from './segment.js';
import { SEGMENT_MAGIC } from './segment-format.js';

const utf8 = new TextEncoder();

/**
 * Writes the segment object format: header, directory (documents, trigram table, word table),
 * postings. Callers add the documents, then write each posting list to `postings` and close it
 * with `endTrigram` (ascending keys), then likewise with `endTerm` (words in UTF-16 order).
 */
export class SegmentEncoder {
  readonly postings = new ByteWriter();
  private readonly docTable = new ByteWriter();
  private readonly trigramTable = new ByteWriter();
  private readonly termTable = new ByteWriter();
  private docCount = 0;
  private trigramCount = 0;
  private termCount = 0;
  private previousKey = 0;
  private previousTerm = '';
  private listStart = 0;

  addDoc(doc: SegmentDoc): void {
    const id = utf8.encode(doc.id);
    this.docTable.varint(id.length);
    this.docTable.bytes(id);
    this.docTable.bytes(Buffer.from(doc.sha256, 'hex'));
    this.docTable.varint(doc.words);
    this.docTable.varint(doc.textBytes);
    this.docCount++;
  }

  /** Closes the trigram list written since the previous list; an empty list is left out. */
  endTrigram(key: number): void {
    const length = this.endList();
    if (length === 0) return;
    this.trigramTable.varint(key - this.previousKey);
    this.trigramTable.varint(length);
    this.previousKey = key;
    this.trigramCount++;
  }

  /** Closes the word list written since the previous list; an empty list is left out. */
  endTerm(term: string): void {
    const length = this.endList();
    if (length === 0) return;
    let shared = 0;
    const previous = this.previousTerm;
    while (shared < term.length && shared < previous.length && term[shared] === previous[shared]) shared++;
    // Never split a surrogate pair between the shared part and the suffix.
    if (shared > 0 && isLowSurrogate(term.charCodeAt(shared))) shared--;
    const suffix = utf8.encode(term.slice(shared));
    this.termTable.varint(shared);
    this.termTable.varint(suffix.length);
    this.termTable.bytes(suffix);
    this.termTable.varint(length);
    this.previousTerm = term;
    this.termCount++;
  }

  private endList(): number {
    const length = this.postings.length - this.listStart;
    this.listStart = this.postings.length;
    return length;
  }

  encode(): Uint8Array {
    const directory = new ByteWriter();
    directory.varint(this.docCount);
    directory.bytes(this.docTable.result());
    directory.varint(this.trigramCount);
    directory.bytes(this.trigramTable.result());
    directory.varint(this.termCount);
    directory.bytes(this.termTable.result());
    const directoryBytes = directory.result();
    const postingBytes = this.postings.result();
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
