import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  compareKeys,
  encodeCursor,
  type ListedObject,
  pageFromSortedObjects,
  SortedKeys,
} from '../src/index.js';

/** Strings mixing ASCII, BMP characters on both sides of the surrogate range, and astral characters. */
const key = fc.string({
  unit: fc.constantFrom('a', 'b', '/', ' ', 'é', '\u{e000}', '\u{fffd}', '\u{ffff}', '😀', '\u{10000}', '日'),
  maxLength: 6,
});

function record(text: string): ListedObject {
  return { key: text, size: 0, etag: '"e"', lastModified: new Date(0) };
}

describe('SortedKeys', () => {
  it('property: after sets and deletes, get, iteration from any key and size match a sorted model', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.boolean(), key), { maxLength: 600 }), key, (operations, start) => {
        const index = new SortedKeys<ListedObject>();
        const live = new Set<string>();
        for (const [adding, text] of operations) {
          if (adding) {
            index.set(record(text));
            live.add(text);
          } else {
            expect(index.delete(text)).toBe(live.delete(text));
          }
        }
        const expected = [...live].sort(compareKeys).filter((text) => compareKeys(text, start) >= 0);
        expect([...index.from(start)].map((item) => item.key)).toEqual(expected);
        expect(index.size).toBe(live.size);
        expect(index.get(start)?.key).toBe(live.has(start) ? start : undefined);
      }),
      { numRuns: 300 },
    );
  });

  it('stays ordered across many chunk splits', () => {
    const index = new SortedKeys<ListedObject>();
    const keys = Array.from(
      { length: 5000 },
      (_, position) => `k/${((position * 7919) % 5000).toString().padStart(4, '0')}`,
    );
    for (const text of keys) index.set(record(text));
    const listed = [...index.from('')].map((item) => item.key);
    expect(listed).toEqual([...keys].sort(compareKeys));
    expect([...index.from('k/4990')].map((item) => item.key)).toEqual(listed.slice(4990));
  });

  it('property: page() returns what pageFromSortedObjects does, with or without a delimiter', () => {
    const path = fc.array(fc.constantFrom('a', 'b', 'é', '😀', 'a/b', 'c'), { minLength: 1, maxLength: 3 });
    fc.assert(
      fc.property(
        fc.uniqueArray(
          path.map((parts) => parts.join('/')),
          { maxLength: 40 },
        ),
        fc.constantFrom('', 'a', 'a/', 'b/'),
        fc.option(fc.constant('/'), { nil: undefined }),
        fc.integer({ min: 1, max: 5 }),
        (keys, prefix, delimiter, limit) => {
          const index = new SortedKeys<ListedObject>();
          for (const text of keys) index.set(record(text));
          const sorted = [...index.from('')];
          let after: string | undefined;
          for (let round = 0; round <= keys.length + 1; round++) {
            const options = { limit, ...(delimiter ? { delimiter } : {}), ...(after ? { after } : {}) };
            const page = index.page(prefix, options);
            const model = pageFromSortedObjects(sorted, prefix, {
              limit,
              delimiter,
              ...(after ? { cursor: encodeCursor(after) } : {}),
            });
            expect(page.objects.map((object) => object.key)).toEqual(
              model.objects.map((object) => object.key),
            );
            expect(page.prefixes).toEqual(model.prefixes);
            expect(page.more).toBe(model.cursor !== undefined);
            if (!page.more) return;
            const lastGroup = page.prefixes.at(-1);
            const lastObject = page.objects.at(-1)?.key;
            const groupEnd = lastGroup === undefined ? undefined : `${lastGroup}\u{10ffff}`;
            after =
              groupEnd === undefined || (lastObject !== undefined && compareKeys(lastObject, groupEnd) > 0)
                ? lastObject
                : groupEnd;
          }
          throw new Error('paging did not end');
        },
      ),
      { numRuns: 300 },
    );
  });
});
