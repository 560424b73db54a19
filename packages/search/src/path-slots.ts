import type { Entry } from '@datalake/model';
import type { Segment } from './segment.js';

/** Where an entry's indexed document is: a segment and its number there, or that it is not indexed. */
export type Covering = { segment: Segment; doc: number } | 'uncovered' | undefined;

const UNKNOWN = -3;
/** Neither a current document of a known segment nor uncovered: never a candidate. */
const NONE = -2;
const UNCOVERED = -1;

/**
 * The covering document of each entry of a path-ordered array, looked up once per position and then
 * read from typed arrays: repeated walks over the same entries and coverage cost no map lookups.
 * Valid only while both the array and the coverage it was made from are unchanged.
 */
export class PathSlots {
  private readonly segmentNumbers: Map<Segment, number>;
  private readonly slotSegment: Int32Array;
  private readonly slotDoc: Int32Array;

  constructor(
    readonly ordered: readonly Entry[],
    readonly coverageVersion: number,
    /** The segments coverage may point at, numbered by position. */
    readonly segments: readonly Segment[],
    private readonly locate: (entry: Entry) => Covering,
  ) {
    this.segmentNumbers = new Map(segments.map((segment, i) => [segment, i]));
    this.slotSegment = new Int32Array(ordered.length).fill(UNKNOWN);
    this.slotDoc = new Int32Array(ordered.length);
  }

  /** Whether the entry at `position` is uncovered, or covered by a document `members` holds. */
  isCandidate(position: number, members: ReadonlyArray<{ has(doc: number): boolean } | undefined>): boolean {
    let segment = this.slotSegment[position] as number;
    if (segment === UNKNOWN) segment = this.fill(position);
    if (segment === UNCOVERED) return true;
    if (segment === NONE) return false;
    return members[segment]?.has(this.slotDoc[position] as number) === true;
  }

  private fill(position: number): number {
    const covering = this.locate(this.ordered[position] as Entry);
    let segment = NONE;
    if (covering === 'uncovered') segment = UNCOVERED;
    else if (covering !== undefined) {
      segment = this.segmentNumbers.get(covering.segment) ?? NONE;
      this.slotDoc[position] = covering.doc;
    }
    this.slotSegment[position] = segment;
    return segment;
  }
}
