import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { matchContent } from '../src/hits.js';
import { SNIPPET_LENGTH } from '../src/lines.js';
import { allMatches, regexMatcher, substringMatcher } from '../src/matcher.js';
import { readAhead } from '../src/read-ahead.js';

describe('matching a content with very many matches', () => {
  it('keeps only what the snippets show, and still counts every match', () => {
    const content = `${'a'.repeat(300_000)}\nb\n${'ab'.repeat(100_000)}\n`;
    for (const matcher of [substringMatcher('a', false), regexMatcher(/a/gimu)]) {
      const match = matchContent(content, matcher, 5);
      expect(match.matches).toBe(400_000);
      expect(match.lineMatchCount).toBe(2);
      expect(match.lines.map((line) => line.line)).toEqual([1, 3]);
      for (const line of match.lines) {
        expect(line.text.length).toBeLessThanOrEqual(SNIPPET_LENGTH + 2);
        expect(line.ranges.length).toBeGreaterThan(0);
        expect(line.ranges.length).toBeLessThanOrEqual(SNIPPET_LENGTH + 1);
        // (A match cut by the snippet's end shows as an empty range there.)
        for (const [start, end] of line.ranges) expect(['a', '']).toContain(line.text.slice(start, end));
      }
    }
  });

  it('reports the same lines as matching the whole list of matches (property)', () => {
    const lines = fc.array(fc.stringMatching(/^[ab\r ]{0,400}$/), { minLength: 1, maxLength: 6 });
    fc.assert(
      fc.property(
        lines,
        fc.constantFrom('a', 'ab', 'b a'),
        fc.integer({ min: 0, max: 4 }),
        (parts, query, max) => {
          const content = parts.join('\n');
          const matcher = substringMatcher(query, true);
          const all = allMatches(matcher, content);
          const report = matchContent(content, matcher, max);
          expect(report.matches).toBe(all.length);
          const touched = new Set<number>();
          for (const [start, end] of all) {
            const first = content.slice(0, start).split('\n').length;
            const last = content.slice(0, Math.max(start, end - 1)).split('\n').length;
            for (let line = first; line <= last; line++) touched.add(line);
          }
          expect(report.lineMatchCount).toBe(touched.size);
          expect(report.lines.map((line) => line.line)).toEqual(
            [...touched].sort((x, y) => x - y).slice(0, max),
          );
        },
      ),
    );
  });
});

describe('readAhead', () => {
  it('yields every item in order and never holds more than the budget ahead (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 0, max: 100 }), { maxLength: 40 }),
        fc.integer({ min: 1, max: 20 }),
        fc.integer({ min: 1, max: 250 }),
        async (costs, ahead, budget) => {
          let held = 0;
          let most = 0;
          const items = costs.map((cost, i) => ({ cost, i }));
          const seen: number[] = [];
          const read = async (item: { cost: number; i: number }) => {
            held += item.cost;
            most = Math.max(most, held - item.cost); // what was held besides this read
            await Promise.resolve();
            return item.i;
          };
          for await (const { item, value } of readAhead(items, ahead, read, (item) => item.cost, budget)) {
            seen.push(value);
            held -= item.cost;
          }
          expect(seen).toEqual(items.map((item) => item.i));
          expect(most).toBeLessThanOrEqual(budget);
        },
      ),
    );
  });
});
