import { CorruptDataError } from '@datalake/model';
import { type ByteWriter, isAscii } from './bytes.js';
import type { SegmentDocs } from './segment-docs.js';
import { SegmentEncoder } from './segment-encoder.js';
import type { RawSegment } from './segment-format.js';

const utf8 = new TextEncoder();
/** Reused for the UTF-8 form of ASCII words (most of them), which `endTerm` copies. */
let asciiScratch = new Uint8Array(256);

/** A segment to merge, and the number of each of its documents in the merged segment (-1: dropped). */
export interface MergeInput {
  raw: RawSegment;
  renumber: Int32Array;
}

/**
 * Merges segments straight from their encoded posting lists: lists are walked in key (and word)
 * order across the inputs, renumbered and re-encoded, with no sorting and no decoded copy of the
 * inputs. Inputs must be given in the order their documents were numbered into `docs`, so that every
 * merged list stays ascending.
 */
export function mergeSegments(docs: SegmentDocs, inputs: readonly MergeInput[]): Uint8Array {
  const out = new SegmentEncoder();
  out.addDocs(docs);
  const copiers = inputs.map((input) => new ListCopier(input, out.postings));
  const cursors = inputs.map(() => 0);
  for (;;) {
    let key = Number.POSITIVE_INFINITY;
    inputs.forEach(({ raw }, i) => {
      const at = cursors[i] as number;
      if (at < raw.trigramKeys.length) key = Math.min(key, raw.trigramKeys[at] as number);
    });
    if (key === Number.POSITIVE_INFINITY) break;
    let previous = -1;
    inputs.forEach(({ raw }, i) => {
      const at = cursors[i] as number;
      if (raw.trigramKeys[at] !== key) return;
      cursors[i] = at + 1;
      previous = (copiers[i] as ListCopier).copy(raw.trigramOffsets, at, true, previous);
    });
    out.endTrigram(key);
  }
  cursors.fill(0);
  for (;;) {
    let term: string | undefined;
    inputs.forEach(({ raw }, i) => {
      const candidate = raw.terms[cursors[i] as number];
      if (candidate !== undefined && (term === undefined || candidate < term)) term = candidate;
    });
    if (term === undefined) break;
    let previous = -1;
    inputs.forEach(({ raw }, i) => {
      const at = cursors[i] as number;
      if (raw.terms[at] !== term) return;
      cursors[i] = at + 1;
      previous = (copiers[i] as ListCopier).copy(raw.termOffsets, at, false, previous);
    });
    out.endTerm(utf8Of(term));
  }
  return out.encode();
}

function utf8Of(term: string): Uint8Array {
  if (!isAscii(term)) return utf8.encode(term);
  if (asciiScratch.length < term.length) asciiScratch = new Uint8Array(term.length * 2);
  for (let i = 0; i < term.length; i++) asciiScratch[i] = term.charCodeAt(i);
  return asciiScratch.subarray(0, term.length);
}

/**
 * Copies lists of one input (gap-coded document numbers, each followed by its payload: one byte for
 * trigram masks, a varint for word counts) to the merged postings, renumbered, dropping the
 * documents not kept.
 */
class ListCopier {
  private readonly postings: Uint8Array;
  private readonly docCount: number;
  private readonly renumber: Int32Array;
  private readonly key: string;
  /** Read position in `postings` while copying a list. */
  private offset = 0;

  constructor(
    input: MergeInput,
    private readonly out: ByteWriter,
  ) {
    this.postings = input.raw.postings;
    this.docCount = input.raw.docCount;
    this.renumber = input.renumber;
    this.key = input.raw.key;
  }

  /**
   * Appends list `at` (of the table with `offsets`) after the merged list's postings so far, the last
   * of which is numbered `previous` (-1: none); returns the number of the last one now.
   */
  copy(offsets: Float64Array, at: number, byteTags: boolean, previous: number): number {
    const end = offsets[at + 1] as number;
    this.offset = offsets[at] as number;
    let number = -1;
    let last = previous;
    while (this.offset < end) {
      number += this.varint(end) + 1;
      if (number >= this.docCount) throw this.corrupt('posting out of range');
      let value: number;
      if (!byteTags) value = this.varint(end);
      else if (this.offset < end) value = this.postings[this.offset++] as number;
      else throw this.corrupt('truncated posting');
      const next = this.renumber[number] as number;
      if (next < 0) continue;
      this.out.varint(next - last - 1);
      if (byteTags) this.out.byte(value);
      else this.out.varint(value);
      last = next;
    }
    return last;
  }

  /** The varint at `offset` (advanced past it), which must end before `end`. */
  private varint(end: number): number {
    const bytes = this.postings;
    let value = 0;
    let scale = 1;
    let byte: number;
    do {
      if (this.offset >= end || scale > 2 ** 28) throw this.corrupt('truncated varint');
      byte = bytes[this.offset++] as number;
      value += (byte & 0x7f) * scale;
      scale *= 0x80;
    } while (byte >= 0x80);
    return value;
  }

  private corrupt(problem: string): CorruptDataError {
    return new CorruptDataError(`search index segment ${this.key} is corrupt: ${problem}`);
  }
}
