import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { countLines, countLinesOf, decodeText, detectEncoding } from '../src/encoding.js';

describe('decodeText', () => {
  it('reads UTF-8, with or without a byte-order mark', () => {
    expect(decodeText(new TextEncoder().encode('héllo'))).toEqual({ encoding: 'utf-8', text: 'héllo' });
    expect(decodeText(new Uint8Array([0xef, 0xbb, 0xbf, 0x61]))).toEqual({
      encoding: 'utf-8-bom',
      text: 'a',
    });
  });

  it('reads UTF-16 with a byte-order mark', () => {
    expect(decodeText(new Uint8Array([0xff, 0xfe, 0x61, 0x00, 0x62, 0x00]))).toEqual({
      encoding: 'utf-16le',
      text: 'ab',
    });
    expect(decodeText(new Uint8Array([0xfe, 0xff, 0x00, 0x61]))).toEqual({ encoding: 'utf-16be', text: 'a' });
  });

  it('falls back to latin-1 for invalid UTF-8 and calls NUL-bearing data binary', () => {
    expect(decodeText(new Uint8Array([0x63, 0x61, 0x66, 0xe9]))).toEqual({
      encoding: 'latin-1',
      text: 'café',
    });
    expect(decodeText(new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x00, 0x01])).encoding).toBe('binary');
  });

  it('decodes any text without NUL as UTF-8 exactly', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme' }).filter((text) => !text.includes('\0')),
        (text) => {
          const decoded = decodeText(new TextEncoder().encode(text));
          if (decoded.encoding === 'binary') return; // many control characters: a fair guess
          expect(decoded).toEqual({ encoding: 'utf-8', text });
        },
      ),
    );
  });
});

describe('countLines', () => {
  it('counts a last line without a newline, and no lines in an empty text', () => {
    expect(countLines('')).toBe(0);
    expect(countLines('a')).toBe(1);
    expect(countLines('a\n')).toBe(1);
    expect(countLines('a\r\nb')).toBe(2);
  });

  it('agrees with splitting on newlines', () => {
    fc.assert(
      fc.property(
        fc.array(fc.string().map((line) => line.replaceAll('\n', ''))),
        fc.boolean(),
        (lines, trailing) => {
          const text = lines.join('\n') + (trailing && lines.length > 0 ? '\n' : '');
          const expected = text === '' ? 0 : text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
          expect(countLines(text)).toBe(expected);
        },
      ),
    );
  });
});

describe('detectEncoding and countLinesOf (on bytes, without decoding)', () => {
  const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  const isValidUtf8 = (bytes: Uint8Array) => {
    try {
      strictUtf8.decode(bytes);
      return true;
    } catch {
      return false;
    }
  };
  // Bytes that hit every branch: BOMs, ASCII, UTF-8 sequences (valid, truncated, overlong, surrogates), CR/LF.
  const bytesArb = fc
    .array(
      fc.oneof(
        fc.constantFrom([0xef, 0xbb, 0xbf], [0xff, 0xfe], [0xfe, 0xff], [0x0a], [0x0d, 0x0a], [0xe9]),
        fc.constantFrom(
          [0xc3, 0xa9],
          [0xe2, 0x82, 0xac],
          [0xf0, 0x9f, 0x98, 0x80],
          [0xed, 0xa0, 0x80],
          [0xc0, 0xaf],
        ),
        fc.array(fc.integer({ min: 0x20, max: 0x7e }), { maxLength: 6 }),
        fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 3 }),
      ),
      { maxLength: 40 },
    )
    .map((parts) => new Uint8Array(parts.flat()));

  it('agrees with decodeText and with a strict UTF-8 decoder', () => {
    fc.assert(
      fc.property(bytesArb, (bytes) => {
        const encoding = detectEncoding(bytes);
        expect(encoding).toBe(decodeText(bytes).encoding);
        if (encoding === 'utf-8') expect(isValidUtf8(bytes)).toBe(true);
        if (encoding === 'latin-1') expect(isValidUtf8(bytes)).toBe(false);
      }),
      { numRuns: 2000 },
    );
  });

  it('counts the lines countLines counts in the decoded text', () => {
    fc.assert(
      fc.property(bytesArb, (bytes) => {
        const decoded = decodeText(bytes);
        expect(countLinesOf(bytes, decoded.encoding)).toBe(countLines(decoded.text));
      }),
      { numRuns: 2000 },
    );
  });
});
