import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { countLines, decodeText } from '../src/ingest/encoding.js';

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
