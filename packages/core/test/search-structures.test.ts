import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareKeys } from '../src/backend/keys.js';
import type { Entry } from '../src/model/entry.js';
import { PathHeap } from '../src/search/path-heap.js';
import { PathWalk } from '../src/search/path-walk.js';
import { PostingCache } from '../src/search/posting-cache.js';
import { readAhead } from '../src/search/read-ahead.js';
import { forEachWord, MAX_WORD_LENGTH } from '../src/search/text.js';
import { TrigramPostings } from '../src/search/trigram-postings.js';
import { literalTrigramRuns, masksAlign, TrigramCollector } from '../src/search/trigrams.js';
import { WordPostings } from '../src/search/word-postings.js';

function entryAt(filePath: string): Entry {
  return {
    id: filePath,
    name: filePath,
    dataType: 'other',
    metadata: {},
    createdAt: '2024-01-01T00:00:00.000Z',
    updatedAt: null,
    filePath,
    subpath: '',
    size: 0,
    sha256: '',
  };
}

describe('PathHeap', () => {
  it('pops entries in UTF-8 path order, astral characters included', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'grapheme' })), (paths) => {
        const heap = new PathHeap(paths.map(entryAt));
        const popped: string[] = [];
        for (let entry = heap.pop(); entry; entry = heap.pop()) popped.push(entry.filePath);
        expect(popped).toEqual([...paths].sort(compareKeys));
        expect(heap.size).toBe(0);
      }),
    );
  });
});

const isAscii = (text: string) => !/[\u0080-\uffff]/.test(text);

describe('PathWalk', () => {
  it('yields the accepted entries after the cursor in UTF-8 path order, or reports that it diverged', () => {
    const pathArb = fc.oneof(fc.string({ unit: 'grapheme' }), fc.string({ unit: 'grapheme-ascii' }));
    fc.assert(
      fc.property(fc.uniqueArray(pathArb), pathArb, fc.boolean(), (paths, after, useCursor) => {
        const ordered = paths.map(entryAt).sort((a, b) => (a.filePath < b.filePath ? -1 : 1));
        const cursor = useCursor ? { filePath: after, score: 0 } : undefined;
        const accept = (entry: Entry) => entry.filePath.length % 3 !== 1;
        const walk = new PathWalk(ordered, cursor, accept);
        const walked: string[] = [];
        for (let entry = walk.next(); entry; entry = walk.next()) walked.push(entry.filePath);
        const expected = paths
          .filter((path) => (cursor === undefined || compareKeys(path, after) > 0) && path.length % 3 !== 1)
          .sort(compareKeys);
        if (walk.diverged) expect(expected.slice(0, walked.length)).toEqual(walked);
        else expect(walked).toEqual(expected);
        if (paths.every(isAscii) && isAscii(after)) expect(walk.diverged).toBe(false);
      }),
    );
  });
});

describe('WordPostings', () => {
  it('returns, per word, the documents and counts in insertion order however reads and adds interleave', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            pairs: fc.array(fc.tuple(fc.constantFrom('a', 'b', 'ab', 'é', 'zz', 'q1', '𝔘'), fc.nat(9))),
            readAfter: fc.boolean(),
          }),
          { maxLength: 200 },
        ),
        (docs) => {
          const postings = new WordPostings();
          const expected = new Map<string, Array<[number, number]>>();
          const check = () => {
            expect(new Set(postings.keyList())).toEqual(new Set(expected.keys()));
            for (const [word, list] of expected) {
              expect([...postings.docs(word)]).toEqual(list.map(([doc]) => doc));
              expect([...postings.counts(word)]).toEqual(list.map(([, count]) => count));
              expect(postings.count(word)).toBe(list.length);
            }
            const sorted: Array<[string, number[], number[]]> = [];
            postings.forEachSorted((word, docs, counts) => sorted.push([word, [...docs], [...counts]]));
            expect(sorted).toEqual(
              [...expected.keys()]
                .sort()
                .map((word) => [
                  word,
                  (expected.get(word) ?? []).map(([doc]) => doc),
                  (expected.get(word) ?? []).map(([, count]) => count),
                ]),
            );
            expect(postings.count('absent')).toBe(0);
            expect(postings.docs('absent')).toHaveLength(0);
          };
          docs.forEach(({ pairs, readAfter }, doc) => {
            for (const [word, count] of new Map(pairs)) {
              postings.add(word, doc, count);
              expected.set(word, [...(expected.get(word) ?? []), [doc, count]]);
            }
            if (readAfter) check();
          });
          check();
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe('TrigramPostings', () => {
  it('lists, per trigram, the documents in ascending order with their masks however reads and adds interleave', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            keys: fc.uniqueArray(fc.integer({ min: 0, max: (1 << 24) - 1 }), { maxLength: 40 }),
            commonKeys: fc.uniqueArray(fc.integer({ min: 0, max: 12 }), { maxLength: 8 }),
            readAfter: fc.boolean(),
          }),
          { maxLength: 120 },
        ),
        (docs) => {
          const postings = new TrigramPostings();
          const expected = new Map<number, Array<[number, number]>>();
          const maskOf = (key: number, doc: number) => ((key * 31 + doc) & 0xff) | 1;
          const check = () => {
            for (const [key, list] of expected) {
              const { docs, masks } = postings.list(key);
              expect([...docs]).toEqual(list.map(([doc]) => doc));
              expect([...masks]).toEqual(list.map(([, mask]) => mask));
              expect(postings.count(key)).toBe(list.length);
            }
            expect(postings.count(1 << 24)).toBe(0);
            expect(postings.list(1 << 24).docs).toHaveLength(0);
          };
          docs.forEach(({ keys, commonKeys, readAfter }, doc) => {
            const distinct = [...new Set([...keys, ...commonKeys.map((key) => key << 12)])];
            const masks = distinct.map((key) => maskOf(key, doc));
            if (doc % 2 === 0) postings.addAll(distinct, masks, doc);
            else
              distinct.forEach((key, i) => {
                postings.add(key, doc, masks[i] as number);
              });
            for (const key of distinct)
              expected.set(key, [...(expected.get(key) ?? []), [doc, maskOf(key, doc)]]);
            if (readAfter) check();
          });
          check();
          const visited: number[] = [];
          postings.forEach((key, list) => {
            visited.push(key);
            expect([...list.docs]).toEqual(expected.get(key)?.map(([doc]) => doc));
          });
          expect(visited).toEqual([...expected.keys()].sort((a, b) => a - b));
          expect(postings.keyCount).toBe(expected.size);
          expect(postings.size).toBe([...expected.values()].reduce((sum, list) => sum + list.length, 0));
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe('TrigramCollector and position masks', () => {
  const utf8 = new TextEncoder();
  const textArb = fc
    .array(fc.constantFrom('a', 'b', 'c', 'ab', 'é', '\n', ' '), { maxLength: 80 })
    .map((p) => p.join(''));

  it('collects each distinct trigram once, with a bit for each byte offset modulo 8', () => {
    const collector = new TrigramCollector();
    fc.assert(
      fc.property(textArb, (text) => {
        const bytes = utf8.encode(text);
        const expected = new Map<number, number>();
        for (let i = 0; i + 2 < bytes.length; i++) {
          const key =
            ((bytes[i] as number) << 16) | ((bytes[i + 1] as number) << 8) | (bytes[i + 2] as number);
          expected.set(key, (expected.get(key) ?? 0) | (1 << (i % 8)));
        }
        const keys: number[] = [];
        const masks: number[] = [];
        collector.collect(bytes, keys, masks);
        expect(new Map(keys.map((key, i) => [key, masks[i]]))).toEqual(expected);
        expect(keys).toHaveLength(expected.size);
      }),
      { numRuns: 200 },
    );
  });

  it('never rules out text that holds the run, and rules out the same trigrams placed apart', () => {
    const collector = new TrigramCollector();
    fc.assert(
      fc.property(textArb, textArb, textArb, (before, run, after) => {
        const keys: number[] = [];
        const masks: number[] = [];
        collector.collect(utf8.encode(before + run + after), keys, masks);
        const maskOf = new Map(keys.map((key, i) => [key, masks[i] as number]));
        for (const placed of literalTrigramRuns([run])) {
          const runMasks = placed.map(({ key }) => maskOf.get(key) as number);
          expect(
            masksAlign(
              runMasks,
              placed.map(({ offset }) => offset),
            ),
          ).toBe(true);
        }
      }),
      { numRuns: 200 },
    );
    const keys: number[] = [];
    const masks: number[] = [];
    collector.collect(utf8.encode('abc--bcd'), keys, masks);
    const maskOf = new Map(keys.map((key, i) => [key, masks[i] as number]));
    const [run] = literalTrigramRuns(['abcd']);
    const runMasks = (run ?? []).map(({ key }) => maskOf.get(key) as number);
    expect(
      masksAlign(
        runMasks,
        (run ?? []).map(({ offset }) => offset),
      ),
    ).toBe(false);
  });
});

describe('forEachWord', () => {
  it('splits like a Unicode regular expression for runs of letters, digits and _', () => {
    const reference = (text: string) =>
      [...text.matchAll(/[\p{L}\p{N}_]+/gu)]
        .filter((match) => match[0].length <= MAX_WORD_LENGTH)
        .map((match) => [match[0], match.index]);
    const pieces = fc.constantFrom(
      'ab',
      'Z9_',
      ' ',
      '-',
      'é',
      'Σ',
      '𝔘',
      '\ud800',
      '\udc00',
      '٣',
      '\n',
      'ﬀ',
      'x'.repeat(64),
    );
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ unit: 'grapheme' }),
          fc.array(pieces).map((p) => p.join('')),
        ),
        (text) => {
          const words: Array<[string, number]> = [];
          forEachWord(text, (word, start) => words.push([word, start]));
          expect(words).toEqual(reference(text));
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('PostingCache', () => {
  const list = (length: number) => ({ docs: new Uint32Array(length), masks: new Uint8Array(length) });

  it('evicts the least recently used lists beyond its budget', () => {
    const cache = new PostingCache(8 * 80);
    for (const key of ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h']) cache.set(key, list(16));
    expect(cache.get('a')).toBeDefined();
    cache.set('i', list(16));
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toBeDefined();
    expect(cache.get('i')).toBeDefined();
  });

  it('does not keep a list larger than an eighth of its budget', () => {
    const cache = new PostingCache(80);
    cache.set('big', list(4));
    expect(cache.get('big')).toBeUndefined();
  });
});

describe('readAhead', () => {
  it('yields every value in order with at most `ahead` further reads running', async () => {
    let running = 0;
    let most = 0;
    const read = async (n: number) => {
      running++;
      most = Math.max(most, running);
      await new Promise((resolve) => setTimeout(resolve, (n * 7) % 5));
      running--;
      return n * 2;
    };
    const seen: number[] = [];
    for await (const { item, value } of readAhead([...Array(40).keys()], 4, read)) {
      expect(value).toBe(item * 2);
      seen.push(item);
    }
    expect(seen).toEqual([...Array(40).keys()]);
    expect(most).toBeLessThanOrEqual(5);
  });

  it('raises a failed read when its turn comes, not before', async () => {
    const read = async (n: number) => {
      if (n === 3) throw new Error('read 3 failed');
      return n;
    };
    const seen: number[] = [];
    await expect(async () => {
      for await (const { value } of readAhead([0, 1, 2, 3, 4], 8, read)) seen.push(value);
    }).rejects.toThrow('read 3 failed');
    expect(seen).toEqual([0, 1, 2]);
  });
});
