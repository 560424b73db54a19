import {
  assertValidKey,
  assertValidPrefix,
  compareKeys,
  pathProblem,
  ValidationError,
} from '@datalake/model';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

const segmentChar = fc.constantFrom(
  'a',
  'Z',
  '0',
  '.',
  '-',
  '_',
  ' ',
  '+',
  '%',
  '~',
  'é',
  '日',
  '😀',
  '/',
  '\\',
  '\0',
  '\n',
);

describe('storage keys', () => {
  it('accepts ordinary keys, dot-names, unicode, spaces, + and %', () => {
    for (const key of [
      'a',
      'schema/db/x.sql',
      '.metadata/1.json',
      'configuration/.github/ci.yml',
      'a b/c+d%20e',
      'ü/日本/😀',
    ]) {
      expect(() => assertValidKey(key)).not.toThrow();
    }
  });

  it.each([
    ['', 'is empty'],
    ['/abs', 'absolute'],
    ['a//b', 'empty segment'],
    ['a/', 'empty segment'],
    ['../x', '".." segment'],
    ['a/./b', '"." segment'],
    ['a\\b', 'backslash'],
    ['a\u0000b', 'control character'],
    ['a\nb', 'control character'],
    ['C:/x', 'drive'],
    ['cafe\u0301', 'NFC'],
    ['a\ud800b', 'unpaired'],
    [`${'x'.repeat(256)}`, 'longer than 255'],
  ])('rejects %j (%s)', (key, why) => {
    expect(() => assertValidKey(key)).toThrow(ValidationError);
    expect(pathProblem(key)).toContain(why);
  });

  it('accepts prefixes that end inside a segment, rejects unsafe ones', () => {
    for (const prefix of ['', 'logs/', 'logs/app', 'plus/a ', 'dots/.', '.metadata/']) {
      expect(() => assertValidPrefix(prefix)).not.toThrow();
    }
    for (const prefix of ['/', '/x', '../x/', 'a//b', 'a\\b', 'a/\u0000']) {
      expect(() => assertValidPrefix(prefix)).toThrow(ValidationError);
    }
  });

  it('never accepts a key that could leave the root once joined to it', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: segmentChar, maxLength: 6 }), { maxLength: 5 }), (parts) => {
        const key = parts.join('/');
        if (pathProblem(key) !== undefined) return;
        const segments = key.split('/');
        expect(
          segments.every(
            (s) => s !== '' && s !== '.' && s !== '..' && !s.includes('\\') && !s.includes('\0'),
          ),
        ).toBe(true);
        expect(key.startsWith('/')).toBe(false);
      }),
    );
  });

  it('orders U+E000 < U+FFFD < astral characters, unlike UTF-16 order', () => {
    expect(compareKeys('\u{e000}', '😀')).toBeLessThan(0);
    expect(compareKeys('\u{fffd}', '😀')).toBeLessThan(0);
    expect('\u{fffd}' < '😀').toBe(false);
  });

  it('orders keys by UTF-8 bytes, as S3 does', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), fc.string({ unit: 'grapheme' }), (a, b) => {
        const expected = Math.sign(Buffer.compare(Buffer.from(a), Buffer.from(b)));
        expect(Math.sign(compareKeys(a, b))).toBe(expected);
      }),
    );
  });
});
