import type { Entry, JsonValue } from '../model/entry.js';

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
export function metadataText(entry: Entry): string {
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

const WORD = /[\p{L}\p{N}_]+/gu;
/** Longer runs (hashes, base64) are not words anybody searches for; skipping them keeps the index small. */
export const MAX_WORD_LENGTH = 64;

/** Calls `visit` with each word token of already folded text and its offset. */
export function forEachWord(folded: string, visit: (word: string, start: number) => void): void {
  for (const match of folded.matchAll(WORD)) {
    if (match[0].length <= MAX_WORD_LENGTH) visit(match[0], match.index);
  }
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
