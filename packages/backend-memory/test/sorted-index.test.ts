import { compareKeys } from '@datalake/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isPlainKey, type OrderedRecord } from '../src/key-order.js';
import { SortedObjectIndex } from '../src/sorted-index.js';

/** Strings mixing ASCII, BMP characters on both sides of the surrogate range, and astral characters. */
const key = fc.string({
  unit: fc.constantFrom('a', 'b', '/', ' ', 'é', '\u{e000}', '\u{fffd}', '\u{ffff}', '😀', '\u{10000}', '日'),
  maxLength: 6,
});

function record(text: string): OrderedRecord {
  return { key: text, size: 0, etag: '', lastModified: new Date(0), plain: isPlainKey(text) };
}

describe('SortedObjectIndex', () => {
  it('property: after adds and removes, iteration from any key matches a sorted model', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.boolean(), key), { maxLength: 600 }), key, (operations, start) => {
        const index = new SortedObjectIndex();
        const live = new Map<string, OrderedRecord>();
        for (const [adding, text] of operations) {
          const existing = live.get(text);
          if (adding && !existing) {
            const added = record(text);
            index.add(added);
            live.set(text, added);
          } else if (!adding && existing) {
            index.remove(existing);
            live.delete(text);
          }
        }
        const expected = [...live.keys()].sort(compareKeys).filter((text) => compareKeys(text, start) >= 0);
        expect([...index.from(start)].map((item) => item.key)).toEqual(expected);
        expect(index.size).toBe(live.size);
      }),
      { numRuns: 300 },
    );
  });

  it('stays ordered across many chunk splits', () => {
    const index = new SortedObjectIndex();
    const keys = Array.from(
      { length: 5000 },
      (_, position) => `k/${((position * 7919) % 5000).toString().padStart(4, '0')}`,
    );
    for (const text of keys) index.add(record(text));
    const listed = [...index.from('')].map((item) => item.key);
    expect(listed).toEqual([...keys].sort(compareKeys));
    expect([...index.from('k/4990')].map((item) => item.key)).toEqual(listed.slice(4990));
  });
});
