import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { contentPrefilter } from '../src/content-prefilter.js';
import type { ContentMatch } from '../src/hits.js';
import { normaliseQuery } from '../src/options.js';
import { matcherFor } from '../src/paging.js';
import { decodeContent } from '../src/text.js';

const utf8 = new TextEncoder();

/** Text pieces where folding and decoding are tricky: case pairs, characters folding to ASCII, final sigma. */
const textPieces = fc.constantFrom(
  'ConnectionString',
  'connection',
  'STRING',
  'str',
  '\u0130',
  'i\u0307',
  '\u212a',
  'k',
  'ſ',
  'Σ',
  'ς',
  'Å',
  'ß',
  'ﬀ',
  '𝔘',
  '\ufeff',
  '\ufffd',
  '.*+?',
  '(a|b)',
  '\\',
  ' ',
  '\n',
  '\r\n',
  'é',
  'É',
);

/** Content bytes: text pieces as UTF-8, mixed with bytes that are not valid UTF-8. */
const contentBytes = fc
  .array(
    fc.oneof(
      textPieces.map((piece) => utf8.encode(piece)),
      fc.uint8Array({ minLength: 1, maxLength: 3 }),
      fc.constantFrom(new Uint8Array([0xc4]), new Uint8Array([0xe2, 0x84]), new Uint8Array([0xff, 0xfe])),
    ),
    { maxLength: 24 },
  )
  .map((parts) => Buffer.concat(parts));

const needles = fc.oneof(
  fc.array(textPieces, { minLength: 1, maxLength: 3 }).map((parts) => parts.join('')),
  fc.string({ minLength: 1, maxLength: 6, unit: 'grapheme' }),
  fc.string({ minLength: 1, maxLength: 4, unit: 'binary' }),
);

function contentMatches(bytes: Uint8Array, query: string, caseSensitive: boolean): number {
  const normalised = normaliseQuery(query, { caseSensitive });
  const [match] = matcherFor(normalised).run([{ kind: 'content', text: decodeContent(bytes), maxLines: 0 }]);
  return (match as ContentMatch).matches;
}

describe('contentPrefilter', () => {
  it('rules a content out only when the query does not occur in it, case-folded or not', () => {
    // Needles are drawn from the pieces, or cut from the decoded content and re-cased, so that most
    // of them occur in it one way or another.
    const cases = fc.constantFrom(
      (text: string) => text,
      (text: string) => text.toLowerCase(),
      (text: string) => text.toUpperCase(),
    );
    const cut = fc.record({ from: fc.nat(), length: fc.integer({ min: 1, max: 8 }), recase: cases });
    fc.assert(
      fc.property(contentBytes, fc.oneof(needles, cut), fc.boolean(), (bytes, drawn, caseSensitive) => {
        let needle: string;
        if (typeof drawn === 'string') needle = drawn;
        else {
          const text = decodeContent(bytes);
          const from = text.length === 0 ? 0 : drawn.from % text.length;
          needle = drawn.recase(text.slice(from, from + drawn.length)) || 'x';
        }
        const mayMatch = contentPrefilter(normaliseQuery(needle, { caseSensitive }));
        if (mayMatch && !mayMatch(bytes)) expect(contentMatches(bytes, needle, caseSensitive)).toBe(0);
      }),
      { numRuns: 3000 },
    );
  });

  it('rules out contents that hold every trigram of the query but not the query', () => {
    const content = utf8.encode('a connection, a string; ConnectionStrin g\n'.repeat(50));
    const ignoringCase = contentPrefilter(normaliseQuery('connectionString'));
    const caseSensitive = contentPrefilter(normaliseQuery('ConnectionString', { caseSensitive: true }));
    expect(ignoringCase?.(content)).toBe(false);
    expect(caseSensitive?.(content)).toBe(false);
    expect(ignoringCase?.(utf8.encode('x CONNECTIONSTRING y'))).toBe(true);
    expect(caseSensitive?.(utf8.encode('x connectionstring y'))).toBe(false);
  });

  it('keeps contents where a character outside ASCII folds into the query', () => {
    const mayMatch = contentPrefilter(normaliseQuery('kelvin'));
    const kelvinSign = utf8.encode('\u212aelvin');
    expect(contentMatches(kelvinSign, 'kelvin', false)).toBe(1);
    expect(mayMatch?.(kelvinSign)).toBe(true);
  });

  it('treats regular-expression characters of the query literally', () => {
    const mayMatch = contentPrefilter(normaliseQuery('a.b(c)'));
    expect(mayMatch?.(utf8.encode('axb(c)'))).toBe(false);
    expect(mayMatch?.(utf8.encode('A.B(C)'))).toBe(true);
  });

  it('applies only to substring queries it can answer soundly', () => {
    expect(contentPrefilter(normaliseQuery('conn.*', { mode: 'regex' }))).toBeUndefined();
    expect(contentPrefilter(normaliseQuery('connection', { mode: 'words' }))).toBeUndefined();
    expect(contentPrefilter(normaliseQuery('a\ufffdb'))).toBeUndefined();
    expect(contentPrefilter(normaliseQuery('Ünïcode'))).toBeUndefined();
    expect(contentPrefilter(normaliseQuery('Ünïcode', { caseSensitive: true }))).toBeDefined();
  });
});
