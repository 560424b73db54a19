import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatBytes, highlightParts, previewText } from '../src/format.js';
import { href, parseRoute, type Route } from '../src/route.js';

describe('highlightParts', () => {
  it('marks exactly the ranges, and the parts put together are the text', () => {
    const rangesOf = (length: number) =>
      fc
        .uniqueArray(fc.integer({ min: 0, max: length }), { maxLength: 8 })
        .map((points) => points.sort((a, b) => a - b))
        .map((points) => {
          const ranges: [number, number][] = [];
          for (let i = 0; i + 1 < points.length; i += 2)
            ranges.push([points[i] as number, points[i + 1] as number]);
          return ranges;
        });
    fc.assert(
      fc.property(
        fc.string({ maxLength: 40 }).chain((text) => fc.tuple(fc.constant(text), rangesOf(text.length))),
        ([text, ranges]) => {
          const parts = highlightParts(text, ranges);
          expect(parts.map((part) => part.text).join('')).toBe(text);
          const marked = parts.filter((part) => part.hit).map((part) => part.text);
          expect(marked).toEqual(ranges.filter(([a, b]) => b > a).map(([a, b]) => text.slice(a, b)));
        },
      ),
    );
  });

  it('ignores ranges past the end of a shortened line', () => {
    expect(highlightParts('abc', [[1, 9]])).toEqual([
      { text: 'a', hit: false },
      { text: 'bc', hit: true },
    ]);
  });
});

describe('previewText', () => {
  const encode = (text: string) => new TextEncoder().encode(text);
  it('decodes UTF-8 text, also when a read cut a character in two', () => {
    expect(previewText(encode('CREATE TABLE t;\n'))).toBe('CREATE TABLE t;\n');
    expect(previewText(encode('größe'))).toBe('größe');
    expect(previewText(encode('ab€').subarray(0, 3))).toBe('ab');
  });
  it('calls content with a NUL byte or invalid UTF-8 binary', () => {
    expect(previewText(new Uint8Array([0x50, 0x4b, 0x03, 0x04, 0x00]))).toBeUndefined();
    expect(previewText(new Uint8Array([0x61, 0xff, 0xfe, 0x61]))).toBeUndefined();
  });
});

describe('routes', () => {
  it('every route survives its link', () => {
    const text = fc.string({ maxLength: 12 });
    const type = fc.constantFrom(undefined, 'schema', 'macro', 'logs' as const);
    const route: fc.Arbitrary<Route> = fc.oneof(
      fc.record({ view: fc.constant('browse' as const), dataType: type, subpath: text }),
      fc.record({
        view: fc.constant('search' as const),
        query: text,
        mode: fc.constantFrom('substring', 'words', 'regex' as const),
        dataType: type,
        subpath: text,
      }),
      fc.record({ view: fc.constant('entry' as const), id: text.filter((id) => id !== '') }),
      fc.record({ view: fc.constant('history' as const), id: text.filter((id) => id !== '') }),
      fc.record({
        view: fc.constant('diff' as const),
        id: text.filter((id) => id !== ''),
        from: fc.integer({ min: 1, max: 1e9 }),
        to: fc.integer({ min: 1, max: 1e9 }),
      }),
      fc.constantFrom<Route>({ view: 'upload' }, { view: 'tokens' }, { view: 'retention' }),
    );
    fc.assert(
      fc.property(route, (value) => {
        expect(parseRoute(href(value))).toEqual(value);
      }),
    );
  });

  it('an unknown view or type falls back to browsing everything', () => {
    expect(parseRoute('')).toEqual({ view: 'browse', dataType: undefined, subpath: '' });
    expect(parseRoute('#/nowhere?type=secrets')).toEqual({
      view: 'browse',
      dataType: undefined,
      subpath: '',
    });
  });
});

describe('formatBytes', () => {
  it('uses binary units', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(256 * 1024 * 1024)).toBe('256 MiB');
  });
});
