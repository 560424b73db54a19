import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareByPath, compareKeys } from '../src/index.js';

/** The order S3 and the disk backend list in: the keys' UTF-8 bytes. */
const byUtf8 = (a: string, b: string) => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
const sign = (n: number) => Math.sign(n);

describe('the one key order', () => {
  it('is UTF-8 byte order for any two strings of whole characters', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), fc.string({ unit: 'grapheme' }), (a, b) => {
        expect(sign(compareKeys(a, b))).toBe(sign(byUtf8(a, b)));
      }),
      { numRuns: 2000 },
    );
  });

  it('puts characters above U+FFFF after those of U+E000..U+FFFF, as their bytes do', () => {
    const keys = ['a/\u{1F600}', 'a/\uFFFD', 'a/\uE000', 'a/z', 'a/'];
    expect([...keys].sort(compareKeys)).toEqual([...keys].sort(byUtf8));
    expect(compareKeys('\u{10000}', '\uFFFF')).toBeGreaterThan(0);
  });

  it('orders a prefix before every key it starts', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), fc.string({ unit: 'grapheme', minLength: 1 }), (a, b) => {
        expect(compareKeys(a, a + b)).toBeLessThan(0);
      }),
    );
  });

  it('compares entries by their path', () => {
    expect(compareByPath({ filePath: 'logs/b' }, { filePath: 'logs/a' })).toBeGreaterThan(0);
    expect(compareByPath({ filePath: 'logs/a' }, { filePath: 'logs/a' })).toBe(0);
  });
});
