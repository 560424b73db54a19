import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { displayName } from '../src/display.js';
import { tidyReason } from '../src/errors.js';

/** Characters that must never reach a terminal as they are (tab allowed where asked). */
const UNSAFE = /[\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}\p{Noncharacter_Code_Point}]/u;

/** Reads a displayed name back: the reverse of the escaping, written independently of it. */
function undisplay(shown: string): string {
  return shown.replace(
    /\\(?:x([0-9a-f]{2})|u\{([0-9a-f]+)\}|u([0-9a-f]{4})|(.))/gsu,
    (whole, x, braced, u, named) => {
      if (x ?? braced ?? u) return String.fromCodePoint(Number.parseInt(x ?? braced ?? u, 16));
      const plain: Record<string, string> = { n: '\n', r: '\r', t: '\t', '\\': '\\' };
      const character = plain[named as string];
      if (character === undefined) throw new Error(`unknown escape ${whole} in ${JSON.stringify(shown)}`);
      return character;
    },
  );
}

const hostile = fc.constantFrom(
  '\x1b[31m',
  '\x1b]0;title\x07',
  '\n',
  '\r',
  '\t',
  '\0',
  '\x7f',
  '\x85',
  '\x9b',
  '\u200b',
  '\u200d',
  '\u202e',
  '\u2066',
  '\u2028',
  '\u2029',
  '\ufeff',
  '\ufffe',
  '\u{10ffff}',
  '\ud800',
  '\udfff',
  '\\',
  '\\x1b',
  '\\u202e',
  'é',
  'e\u0301',
  '日本',
  '😀',
);
const text = fc
  .array(fc.oneof(fc.string({ unit: 'binary' }), fc.string({ unit: 'binary-ascii' }), hostile), {
    maxLength: 12,
  })
  .map((parts) => parts.join(''));

describe('displayName', () => {
  it('lets no control, format, separator or invalid character through, and reads back exactly', () => {
    fc.assert(
      fc.property(text, (name) => {
        const shown = displayName(name);
        expect(shown).not.toMatch(UNSAFE);
        expect(undisplay(shown)).toBe(name);
      }),
      { numRuns: 2000 },
    );
  });

  it('is unambiguous: two different names never look the same', () => {
    fc.assert(
      fc.property(text, text, (a, b) => {
        fc.pre(a !== b);
        expect(displayName(a)).not.toBe(displayName(b));
      }),
      { numRuns: 2000 },
    );
  });

  it('keeps tabs for lines of content when asked, and nothing else unsafe', () => {
    fc.assert(
      fc.property(text, (line) => {
        const shown = displayName(line, { keepTabs: true });
        expect(shown.replaceAll('\t', '')).not.toMatch(UNSAFE);
        expect(undisplay(shown)).toBe(line);
      }),
      { numRuns: 1000 },
    );
  });

  it('leaves ordinary names alone and shows the dangerous ones as escapes', () => {
    expect(displayName('schema/billing/tables.sql')).toBe('schema/billing/tables.sql');
    expect(displayName('Bericht_März 日本 😀.bas')).toBe('Bericht_März 日本 😀.bas');
    expect(displayName('bad\x1b[31mred\nline\u202e.sql')).toBe('bad\\x1b[31mred\\nline\\u202e.sql');
    expect(displayName('a\\b\tc\ud800')).toBe('a\\\\b\\tc\\ud800');
    expect(displayName('a\tb', { keepTabs: true })).toBe('a\tb');
  });
});

describe('tidyReason', () => {
  it('says a system error code once, at the end', () => {
    expect(tidyReason("ENOENT: ENOENT: no such file or directory, open '/x/M\ufffdrz.bas'")).toBe(
      'no such file or directory (ENOENT)',
    );
    expect(tidyReason('EACCES: permission denied')).toBe('permission denied (EACCES)');
    expect(tidyReason('name "" is invalid: it is empty')).toBe('name "" is invalid: it is empty');
  });
});
