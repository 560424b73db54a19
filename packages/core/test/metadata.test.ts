import { ValidationError } from '@datalake/model';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mergeMetadata, normaliseMetadata } from '../src/lake/metadata.js';

describe('metadata', () => {
  it('copies and freezes plain JSON', () => {
    const source = { a: 1, nested: { list: [1, 'two', null, true] } };
    const copy = normaliseMetadata(source);
    source.nested.list.push(5);
    expect(copy).toEqual({ a: 1, nested: { list: [1, 'two', null, true] } });
    expect(Object.isFrozen(copy.nested)).toBe(true);
  });

  it('keeps "__proto__" an ordinary key', () => {
    const parsed = JSON.parse('{"__proto__": {"polluted": true}}');
    const copy = normaliseMetadata(parsed);
    expect(Object.keys(copy)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it.each([
    [null],
    [[1]],
    [new Date()],
    [{ f: () => 1 }],
    [{ n: Number.NaN }],
    [{ u: undefined }],
    [{ big: 1n }],
  ])('rejects invalid metadata #%#', (value) => {
    expect(() => normaliseMetadata(value)).toThrow(ValidationError);
  });

  it('is what a reread record holds: property test against a JSON round trip', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (value) => {
        const copy = normaliseMetadata(value);
        const reread = JSON.parse(JSON.stringify(copy));
        expect(copy).toStrictEqual(reread);
        expect(Object.is(normaliseMetadata({ zero: -0 }).zero, 0)).toBe(true);
      }),
    );
  });

  it('rejects oversized metadata', () => {
    expect(() => normaliseMetadata({ blob: 'x'.repeat(300_000) })).toThrow(ValidationError);
  });

  it('merges top-level keys', () => {
    expect(mergeMetadata({ a: 1, b: { c: 1 } }, { b: { d: 2 }, e: null })).toEqual({
      a: 1,
      b: { d: 2 },
      e: null,
    });
  });
});
