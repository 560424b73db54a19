import { MAX_WORD_LENGTH } from './text.js';

/** Receives each word of a text: bytes `[start, end)` and their hash (FNV-1a, 30 bits). */
export interface WordSink {
  word(bytes: Uint8Array, start: number, end: number, hash: number): void;
  /** Called for each run of word characters longer than `MAX_WORD_LENGTH`, which is not a word. */
  tooLong?(): void;
}

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;
/** Hashes are cut to 30 bits: small integers, which the engine passes around without boxing. */
const HASH_MASK = 0x3fffffff;

const NOT_WORD = 0;
const WORD = 1;
const MULTI_BYTE = 2;
/** Per byte: an ASCII word character, another ASCII character, or part of a multi-byte character. */
const BYTE_CLASS = new Uint8Array(256).map((_, byte) =>
  byte >= 0x80 ? MULTI_BYTE : /[0-9A-Za-z_]/.test(String.fromCharCode(byte)) ? WORD : NOT_WORD,
);
const NON_ASCII_WORD_CHAR = /^[\p{L}\p{N}]$/u;
/** Per code point: 0 not classified yet, 1 word character, 2 not. Filled on first sight. */
const codePointClass = new Uint8Array(0x110000);

function isWordCodePoint(codePoint: number): boolean {
  let known = codePointClass[codePoint] as number;
  if (known === 0) {
    known = NON_ASCII_WORD_CHAR.test(String.fromCodePoint(codePoint)) ? 1 : 2;
    codePointClass[codePoint] = known;
  }
  return known === 1;
}

/**
 * The words of folded UTF-8 text (well-formed, as `TextEncoder` writes it), exactly as `forEachWord`
 * finds them in the same text as a string: maximal runs of letters, digits and `_`, at most
 * `MAX_WORD_LENGTH` UTF-16 code units long. Works on the bytes so that indexing never makes a
 * string per word. Returns the number of words passed to `sink`.
 */
export function scanWords(bytes: Uint8Array, sink: WordSink): number {
  const length = bytes.length;
  let words = 0;
  let i = 0;
  for (;;) {
    let lead = 0;
    while (i < length) {
      lead = bytes[i] as number;
      if (BYTE_CLASS[lead] !== NOT_WORD) break;
      i++;
    }
    if (i >= length) break;
    if (BYTE_CLASS[lead] === MULTI_BYTE && !isWordCodePoint(codePointAt(bytes, i, lead))) {
      i += utf8Width(lead);
      continue;
    }
    const start = i;
    // Bytes of the word beyond its UTF-16 code units (in multi-byte characters).
    let extraBytes = 0;
    let hash = FNV_OFFSET;
    for (;;) {
      let byte = 0;
      while (i < length) {
        byte = bytes[i] as number;
        if (BYTE_CLASS[byte] !== WORD) break;
        hash = Math.imul(hash ^ byte, FNV_PRIME);
        i++;
      }
      if (i >= length || BYTE_CLASS[byte] === NOT_WORD || !isWordCodePoint(codePointAt(bytes, i, byte)))
        break;
      const width = utf8Width(byte);
      for (let b = i; b < i + width; b++) hash = Math.imul(hash ^ (bytes[b] as number), FNV_PRIME);
      extraBytes += width === 4 ? 2 : width - 1;
      i += width;
    }
    const units = i - start - extraBytes;
    if (units <= MAX_WORD_LENGTH) {
      sink.word(bytes, start, i, hash & HASH_MASK);
      words++;
    } else sink.tooLong?.();
  }
  return words;
}

function utf8Width(lead: number): number {
  return lead < 0xe0 ? 2 : lead < 0xf0 ? 3 : 4;
}

/** The code point whose UTF-8 form starts with `lead` (at least 0x80) at `at`. */
function codePointAt(bytes: Uint8Array, at: number, lead: number): number {
  const second = (bytes[at + 1] as number) & 0x3f;
  if (lead < 0xe0) return ((lead & 0x1f) << 6) | second;
  const third = (bytes[at + 2] as number) & 0x3f;
  if (lead < 0xf0) return ((lead & 0x0f) << 12) | (second << 6) | third;
  return ((lead & 0x07) << 18) | (second << 12) | (third << 6) | ((bytes[at + 3] as number) & 0x3f);
}

/** The FNV-1a hash `scanWords` gives a word's bytes. */
export function wordHash(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let hash = FNV_OFFSET;
  for (let i = start; i < end; i++) hash = Math.imul(hash ^ (bytes[i] as number), FNV_PRIME);
  return hash & HASH_MASK;
}

/**
 * Sort rank of a byte such that comparing UTF-8 strings by rank at their first difference orders
 * them like their UTF-16 forms: code points U+E000..U+FFFF (lead bytes EE, EF) come after the
 * supplementary planes (lead bytes F0..F4), whose UTF-16 surrogates sort below them.
 */
export function utf16Rank(byte: number): number {
  return byte === 0xee || byte === 0xef ? byte + 0x10 : byte;
}
