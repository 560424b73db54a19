import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { candidateDocs } from '../src/candidate-docs.js';
import type { Segment, TrigramList } from '../src/segment.js';
import { masksAlign, type PlacedTrigram } from '../src/trigrams.js';

const DOCS = 300;

/** A segment holding only trigram lists (all `candidateDocs` reads). */
function segmentOf(lists: Map<number, TrigramList>): Segment {
  return {
    key: 'test',
    docs: { length: DOCS },
    trigramWeight: (key: number) => lists.get(key)?.docs.length ?? 0,
    trigramPostings: async (key: number) => lists.get(key) as TrigramList,
  } as unknown as Segment;
}

/** What the candidates are by definition: in every list, and each run's masks align. */
function reference(lists: Map<number, TrigramList>, runs: PlacedTrigram[][]): number[] {
  const out: number[] = [];
  const keys = new Set(runs.flatMap((run) => run.map((placed) => placed.key)));
  for (let doc = 0; doc < DOCS; doc++) {
    const maskOf = (key: number) => {
      const list = lists.get(key);
      const at = list ? list.docs.indexOf(doc) : -1;
      return at < 0 ? undefined : (list?.masks[at] as number);
    };
    if ([...keys].some((key) => maskOf(key) === undefined)) continue;
    const aligned = runs.every(
      (run) =>
        run.length < 2 ||
        masksAlign(
          run.map((placed) => maskOf(placed.key) as number),
          run.map((placed) => placed.offset),
        ),
    );
    if (aligned) out.push(doc);
  }
  return out;
}

/** A list over most documents (0 = the document lacks the trigram), mostly one position (mod 8) each, so that alignment decides. */
const postingList = fc
  .array(
    fc.oneof(
      { weight: 1, arbitrary: fc.constant(0) },
      { weight: 4, arbitrary: fc.nat(7).map((bit) => 1 << bit) },
      { weight: 1, arbitrary: fc.integer({ min: 1, max: 255 }) },
    ),
    { minLength: DOCS, maxLength: DOCS },
  )
  .map((perDoc) => {
    const docs = perDoc.flatMap((mask, doc) => (mask === 0 ? [] : [doc]));
    return { docs: Uint32Array.from(docs), masks: Uint8Array.from(docs.map((doc) => perDoc[doc] as number)) };
  });

describe('candidateDocs', () => {
  it('gives exactly the documents in every list whose masks place every run', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(postingList, { minLength: 4, maxLength: 6 }),
        fc.array(
          fc.array(fc.record({ key: fc.nat(4), offset: fc.nat(40) }), { minLength: 1, maxLength: 6 }),
          { minLength: 1, maxLength: 3 },
        ),
        async (generated, runs) => {
          const lists = new Map(generated.map((list, key) => [key, list]));
          const found = await candidateDocs(segmentOf(lists), runs);
          expect([...Array.from(found)]).toEqual(reference(lists, runs));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('finds the few aligned documents among long, dense lists', async () => {
    const dense = (mask: (doc: number) => number): TrigramList => ({
      docs: Uint32Array.from({ length: DOCS }, (_, doc) => doc),
      masks: Uint8Array.from({ length: DOCS }, (_, doc) => mask(doc)),
    });
    // Trigram 1 must sit one place after trigram 0: only documents 7 and 250 have that.
    const lists = new Map([
      [0, dense(() => 0b0000_0001)],
      [1, dense((doc) => (doc === 7 || doc === 250 ? 0b0000_0010 : 0b0000_0100))],
    ]);
    const runs = [
      [
        { key: 0, offset: 0 },
        { key: 1, offset: 1 },
      ],
    ];
    expect(Array.from(await candidateDocs(segmentOf(lists), runs))).toEqual([7, 250]);
  });
});
