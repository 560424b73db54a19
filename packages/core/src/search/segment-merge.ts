import { ByteReader } from './bytes.js';
import type { SegmentDoc } from './segment.js';
import { SegmentEncoder } from './segment-encoder.js';
import type { RawSegment } from './segment-format.js';

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
export function mergeSegments(docs: readonly SegmentDoc[], inputs: readonly MergeInput[]): Uint8Array {
  const out = new SegmentEncoder();
  for (const doc of docs) out.addDoc(doc);
  const cursors = inputs.map(() => 0);
  for (;;) {
    let key = Number.POSITIVE_INFINITY;
    inputs.forEach(({ raw }, i) => {
      const at = cursors[i] as number;
      if (at < raw.trigramKeys.length) key = Math.min(key, raw.trigramKeys[at] as number);
    });
    if (key === Number.POSITIVE_INFINITY) break;
    const writer = new ListWriter(out);
    inputs.forEach((input, i) => {
      const at = cursors[i] as number;
      if (input.raw.trigramKeys[at] !== key) return;
      cursors[i] = at + 1;
      copyList(input, input.raw.trigramOffsets, at, 'byte', (doc, mask) => writer.trigram(doc, mask));
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
    const writer = new ListWriter(out);
    inputs.forEach((input, i) => {
      const at = cursors[i] as number;
      if (input.raw.terms[at] !== term) return;
      cursors[i] = at + 1;
      copyList(input, input.raw.termOffsets, at, 'varint', (doc, count) => writer.term(doc, count));
    });
    out.endTerm(term);
  }
  return out.encode();
}

/** Appends renumbered postings to the merged segment's current list. */
class ListWriter {
  private previous = -1;
  constructor(private readonly out: SegmentEncoder) {}

  trigram(doc: number, mask: number): void {
    this.out.postings.varint(doc - this.previous - 1);
    this.out.postings.byte(mask);
    this.previous = doc;
  }

  term(doc: number, count: number): void {
    this.out.postings.varint(doc - this.previous - 1);
    this.out.postings.varint(count);
    this.previous = doc;
  }
}

/**
 * Walks list `at` of an input (gap-coded document numbers, each followed by its payload: one byte
 * for trigram masks, a varint for word counts), passing on the postings of documents kept in the merge.
 */
function copyList(
  input: MergeInput,
  offsets: Float64Array,
  at: number,
  payload: 'byte' | 'varint',
  write: (doc: number, value: number) => void,
): void {
  const { raw, renumber } = input;
  const reader = new ByteReader(
    raw.postings.subarray(offsets[at] as number, offsets[at + 1] as number),
    `segment ${raw.key}`,
  );
  let number = -1;
  while (!reader.done) {
    number += reader.varint() + 1;
    if (number >= raw.docCount) throw reader.corrupt('posting out of range');
    const value = payload === 'byte' ? reader.byte() : reader.varint();
    const next = renumber[number] as number;
    if (next >= 0) write(next, value);
  }
}
