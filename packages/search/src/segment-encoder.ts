import { crc32 } from 'node:zlib';
import { ByteWriter } from './bytes.js';
import { DOC_STATES, type SegmentDocs } from './segment-docs.js';
import { SEGMENT_MAGIC } from './segment-format.js';

/**
 * Writes the segment object format: header, directory (documents, trigram table, word table),
 * postings. Callers add the documents, then write each posting list to `postings` and close it
 * with `endTrigram` (ascending keys), then likewise with `endTerm` (words in UTF-16 order, as UTF-8).
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
  private previousTerm = new Uint8Array(0);
  private listStart = 0;

  addDocs(docs: SegmentDocs): void {
    for (let doc = 0; doc < docs.length; doc++) {
      this.docTable.lengthPrefixedUtf8(docs.id(doc));
      this.docTable.hex(docs.sha256(doc));
      this.docTable.varint(docs.words(doc));
      this.docTable.varint(docs.textBytes(doc));
      const state = docs.state(doc);
      this.docTable.varint(DOC_STATES.indexOf(state));
      if (state === 'failed') this.docTable.lengthPrefixedUtf8(docs.detail(doc) ?? '');
    }
    this.docCount += docs.length;
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

  /** Closes the word list (the word as UTF-8) written since the previous list; an empty list is left out. */
  endTerm(term: Uint8Array): void {
    const length = this.endList();
    if (length === 0) return;
    const previous = this.previousTerm;
    let shared = 0;
    while (shared < term.length && shared < previous.length && term[shared] === previous[shared]) shared++;
    // Share whole characters only: the reader shares a prefix of UTF-16 code units.
    while (shared > 0 && shared < term.length && isContinuationByte(term[shared] as number)) shared--;
    this.termTable.varint(utf16Length(term, shared));
    this.termTable.varint(term.length - shared);
    this.termTable.bytes(term.subarray(shared));
    this.termTable.varint(length);
    this.previousTerm = term.slice();
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
    const out = new Uint8Array(SEGMENT_MAGIC.length + 12 + directoryBytes.length + postingBytes.length);
    out.set(SEGMENT_MAGIC);
    const header = new DataView(out.buffer, SEGMENT_MAGIC.length, 12);
    header.setUint32(0, directoryBytes.length);
    header.setUint32(4, crc32(directoryBytes));
    header.setUint32(8, crc32(postingBytes));
    out.set(directoryBytes, SEGMENT_MAGIC.length + 12);
    out.set(postingBytes, SEGMENT_MAGIC.length + 12 + directoryBytes.length);
    return out;
  }
}

function isContinuationByte(byte: number): boolean {
  return (byte & 0xc0) === 0x80;
}

/** UTF-16 code units of the first `end` bytes of UTF-8 text (ending on a character boundary). */
function utf16Length(utf8Bytes: Uint8Array, end: number): number {
  let units = 0;
  for (let i = 0; i < end; i++) {
    const byte = utf8Bytes[i] as number;
    if (!isContinuationByte(byte)) units += byte >= 0xf0 ? 2 : 1;
  }
  return units;
}
