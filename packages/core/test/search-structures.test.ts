import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareKeys } from '../src/backend/keys.js';
import type { Entry } from '../src/model/entry.js';
import { LinkedPostings } from '../src/search/linked-postings.js';
import { PathHeap } from '../src/search/path-heap.js';
import { PostingCache } from '../src/search/posting-cache.js';
import { readAhead } from '../src/search/read-ahead.js';

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

describe('LinkedPostings', () => {
  it('returns, per key, the documents and counts in insertion order', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.tuple(fc.integer({ min: 0, max: 40 }), fc.nat(9)), { maxLength: 30 }), {
          maxLength: 300,
        }),
        (docs) => {
          const postings = new LinkedPostings<number>();
          const expected = new Map<number, Array<[number, number]>>();
          docs.forEach((pairs, doc) => {
            for (const [key, count] of new Map(pairs)) {
              postings.add(key, doc, count);
              expected.set(key, [...(expected.get(key) ?? []), [doc, count]]);
            }
          });
          expect(new Set(postings.keyList())).toEqual(new Set(expected.keys()));
          for (const [key, list] of expected) {
            expect([...postings.docs(key)]).toEqual(list.map(([doc]) => doc));
            expect([...postings.counts(key)]).toEqual(list.map(([, count]) => count));
            expect(postings.count(key)).toBe(list.length);
          }
          expect(postings.count(-1)).toBe(0);
          expect(postings.docs(-1)).toHaveLength(0);
        },
      ),
      { numRuns: 50 },
    );
  });
});

describe('PostingCache', () => {
  it('evicts the least recently used lists beyond its budget', () => {
    const cache = new PostingCache(8 * 64);
    const list = () => new Uint32Array(16);
    for (const key of ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h']) cache.set(key, list());
    expect(cache.get('a')).toBeDefined();
    cache.set('i', list());
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toBeDefined();
    expect(cache.get('i')).toBeDefined();
  });

  it('does not keep a list larger than an eighth of its budget', () => {
    const cache = new PostingCache(64);
    cache.set('big', new Uint32Array(4));
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
