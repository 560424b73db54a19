import type { Entry, JsonValue } from '@datalake/model';

const utf8Decoder = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });

/** The searchable text of content bytes: their UTF-8 decoding, invalid sequences as U+FFFD. */
export function decodeContent(bytes: Uint8Array): string {
  return utf8Decoder.decode(bytes);
}

/** The string form of a metadata value, used by both matching and the `metadata` filter. */
export function metadataValueText(value: JsonValue): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** Metadata as searchable text: one `key: value` line per top-level key, in key order of the object. */
export function metadataText(entry: Pick<Entry, 'metadata'>): string {
  return Object.entries(entry.metadata)
    .map(([key, value]) => `${key}: ${metadataValueText(value)}`)
    .join('\n');
}

/**
 * Case folding used by case-insensitive matching and by the index: each code point is replaced by
 * its lower-case form when that is a single code point of the same UTF-16 length, so folded text
 * keeps every offset of the original. (String-wide `toLowerCase` is context-sensitive for 'Σ' and
 * expands 'İ', so it is only a fast path when neither can occur.)
 */
export function foldCase(text: string): string {
  const lower = text.toLowerCase();
  if (lower.length === text.length && !text.includes('\u03a3')) return lower;
  let out = '';
  for (const char of text) {
    const folded = char.toLowerCase();
    out += folded.length === char.length ? folded : char;
  }
  return out;
}

/** Longer runs (hashes, base64) are not words anybody searches for; skipping them keeps the index small. */
export const MAX_WORD_LENGTH = 64;

const ASCII_WORD_CHAR = new Uint8Array(128).map((_, code) =>
  /[0-9A-Za-z_]/.test(String.fromCharCode(code)) ? 1 : 0,
);
const NON_ASCII_WORD_CHAR = /[\p{L}\p{N}]/uy;

/**
 * Calls `visit` with each word token (a maximal run of letters, digits and `_`) of already folded
 * text and its offset. ASCII is classified by table; only other code points go through a regex.
 */
export function forEachWord(folded: string, visit: (word: string, start: number) => void): void {
  let start = -1;
  let i = 0;
  while (i < folded.length) {
    const code = folded.charCodeAt(i);
    let width = 1;
    let isWordChar: boolean;
    if (code < 0x80) isWordChar = ASCII_WORD_CHAR[code] === 1;
    else {
      if (code >= 0xd800 && code <= 0xdbff && i + 1 < folded.length) {
        const next = folded.charCodeAt(i + 1);
        if (next >= 0xdc00 && next <= 0xdfff) width = 2;
      }
      NON_ASCII_WORD_CHAR.lastIndex = i;
      isWordChar = NON_ASCII_WORD_CHAR.test(folded);
    }
    if (isWordChar) {
      if (start < 0) start = i;
    } else if (start >= 0) {
      if (i - start <= MAX_WORD_LENGTH) visit(folded.slice(start, i), start);
      start = -1;
    }
    i += width;
  }
  if (start >= 0 && folded.length - start <= MAX_WORD_LENGTH) visit(folded.slice(start), start);
}

/**
 * The UTF-16 width of the word character (as `forEachWord` classifies them) at `i` of `text`, or 0
 * when the character there is not one.
 */
export function isWordCharAt(text: string, i: number): number {
  const code = text.charCodeAt(i);
  if (code < 0x80) return ASCII_WORD_CHAR[code] === 1 ? 1 : 0;
  let width = 1;
  if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
    const next = text.charCodeAt(i + 1);
    if (next >= 0xdc00 && next <= 0xdfff) width = 2;
  }
  NON_ASCII_WORD_CHAR.lastIndex = i;
  return NON_ASCII_WORD_CHAR.test(text) ? width : 0;
}

/** A words-mode query: every `exact` word must occur, and some word starting with `prefix`. */
export interface WordsQuery {
  exact: string[];
  prefix: string;
}

/** Splits a words-mode query into folded words; the last one is matched as a prefix. */
export function parseWordsQuery(query: string): WordsQuery | undefined {
  const words: string[] = [];
  forEachWord(foldCase(query), (word) => words.push(word));
  const prefix = words.pop();
  if (prefix === undefined) return undefined;
  return { exact: [...new Set(words)], prefix };
}

/** The three searchable fields of an entry, in a fixed order. */
export interface EntryTexts {
  name: string;
  content: string;
  metadata: string;
}

export function entryTexts(entry: Entry, content: string): EntryTexts {
  return { name: entry.name, content, metadata: metadataText(entry) };
}
