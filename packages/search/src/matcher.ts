import { foldCase, forEachWord, type WordsQuery } from './text.js';

/** [start, end) UTF-16 offsets of one match. */
export type Range = [number, number];

/** Receives one match. */
export type MatchVisitor = (start: number, end: number) => void;

/**
 * Finds every (non-overlapping, left to right) match of a query in one text, handing each to `visit`
 * as it is found (so that no list of matches has to be held); returns how many there were.
 */
export type TextMatcher = (text: string, visit?: MatchVisitor) => number;

export function substringMatcher(query: string, caseSensitive: boolean): TextMatcher {
  const needle = caseSensitive ? query : foldCase(query);
  return (text, visit) => {
    const haystack = caseSensitive ? text : foldCase(text);
    let count = 0;
    let at = haystack.indexOf(needle);
    while (at !== -1) {
      count++;
      visit?.(at, at + needle.length);
      at = haystack.indexOf(needle, at + needle.length);
    }
    return count;
  };
}

export function regexMatcher(regex: RegExp): TextMatcher {
  return (text, visit) => {
    const pattern = new RegExp(regex.source, regex.flags);
    let count = 0;
    for (let match = pattern.exec(text); match !== null; match = pattern.exec(text)) {
      const start = match.index;
      const end = start + match[0].length;
      count++;
      visit?.(start, end);
      // An empty match would repeat forever: step over one code point.
      if (end === start) pattern.lastIndex = end + (isHighSurrogateAt(text, end) ? 2 : 1);
    }
    return count;
  };
}

/** Matches of the words that satisfy a words query (an exact word, or a word starting with the prefix). */
export function wordsMatcher(words: WordsQuery): TextMatcher {
  const exact = new Set(words.exact);
  return (text, visit) => {
    let count = 0;
    forEachWord(foldCase(text), (word, start) => {
      if (exact.has(word) || word.startsWith(words.prefix)) {
        count++;
        visit?.(start, start + word.length);
      }
    });
    return count;
  };
}

/** Every match of `matcher` in `text`, as a list (for tests and small texts). */
export function allMatches(matcher: TextMatcher, text: string): Range[] {
  const ranges: Range[] = [];
  matcher(text, (start, end) => ranges.push([start, end]));
  return ranges;
}

function isHighSurrogateAt(text: string, index: number): boolean {
  const code = text.charCodeAt(index);
  return code >= 0xd800 && code <= 0xdbff && index + 1 < text.length;
}
