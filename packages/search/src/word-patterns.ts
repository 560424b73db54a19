import { isWordCharAt, MAX_WORD_LENGTH } from './text.js';

/**
 * The word that lists, in every segment, the documents whose words are complete: every run of word
 * characters of their text is one of their words (none was longer than `MAX_WORD_LENGTH`). No
 * query word can equal it or start with it (it holds no word character). Segments written before it
 * existed lack it: their documents are never ruled out by their words.
 */
export const COMPLETE_WORDS_TERM = '\u0001';
export const COMPLETE_WORDS_BYTES = new Uint8Array([1]);

/**
 * Which words can hold an occurrence of a run of word characters: a run that reaches the edge of the
 * literal may continue in the text (`open` on that side), one bounded by another character in the
 * literal cannot. `contains`: open on both sides; `prefix`: open on the right only; `suffix`: open
 * on the left only; `exact`: closed on both.
 */
export type WordPatternKind = 'contains' | 'prefix' | 'suffix' | 'exact';

export interface WordPattern {
  kind: WordPatternKind;
  /** Folded word characters. */
  text: string;
}

/**
 * Patterns every occurrence of the (folded) literals implies: where a literal occurs in a text, each
 * of its runs of word characters lies in one run of word characters of the text, which is a word
 * of the document when its words are complete. So a complete document without a word matching some
 * pattern holds none of the literals, in no field.
 */
export function wordPatterns(literals: readonly string[]): WordPattern[] {
  const patterns = new Map<string, WordPattern>();
  for (const literal of literals) {
    let start = -1;
    let i = 0;
    const close = (end: number) => {
      const left = start === 0;
      const right = end === literal.length;
      const kind: WordPatternKind = left ? (right ? 'contains' : 'suffix') : right ? 'prefix' : 'exact';
      const text = literal.slice(start, end);
      patterns.set(`${kind}:${text}`, { kind, text });
      start = -1;
    };
    while (i < literal.length) {
      const width = isWordCharAt(literal, i);
      if (width > 0) {
        if (start < 0) start = i;
        i += width;
        continue;
      }
      if (start >= 0) close(i);
      i += isHighSurrogate(literal.charCodeAt(i)) && i + 1 < literal.length ? 2 : 1;
    }
    if (start >= 0) close(literal.length);
  }
  return [...patterns.values()];
}

/** A run longer than any word matches no word. */
export function matchesNoWord(pattern: WordPattern): boolean {
  return pattern.text.length > MAX_WORD_LENGTH;
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}
