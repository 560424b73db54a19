import { foldCase, forEachWord, type WordsQuery } from './text.js';

/** [start, end) UTF-16 offsets of one match. */
export type Range = [number, number];

/** Finds every (non-overlapping, left to right) match of a query in one text. */
export type TextMatcher = (text: string) => Range[];

export function substringMatcher(query: string, caseSensitive: boolean): TextMatcher {
  const needle = caseSensitive ? query : foldCase(query);
  return (text) => {
    const haystack = caseSensitive ? text : foldCase(text);
    const ranges: Range[] = [];
    let at = haystack.indexOf(needle);
    while (at !== -1) {
      ranges.push([at, at + needle.length]);
      at = haystack.indexOf(needle, at + needle.length);
    }
    return ranges;
  };
}

export function regexMatcher(regex: RegExp): TextMatcher {
  return (text) => {
    const pattern = new RegExp(regex.source, regex.flags);
    const ranges: Range[] = [];
    for (let match = pattern.exec(text); match !== null; match = pattern.exec(text)) {
      const start = match.index;
      const end = start + match[0].length;
      ranges.push([start, end]);
      // An empty match would repeat forever: step over one code point.
      if (end === start) pattern.lastIndex = end + (isHighSurrogateAt(text, end) ? 2 : 1);
    }
    return ranges;
  };
}

/** Ranges of the words that satisfy a words query (an exact word, or a word starting with the prefix). */
export function wordsMatcher(words: WordsQuery): TextMatcher {
  const exact = new Set(words.exact);
  return (text) => {
    const ranges: Range[] = [];
    forEachWord(foldCase(text), (word, start) => {
      if (exact.has(word) || word.startsWith(words.prefix)) ranges.push([start, start + word.length]);
    });
    return ranges;
  };
}

function isHighSurrogateAt(text: string, index: number): boolean {
  const code = text.charCodeAt(index);
  return code >= 0xd800 && code <= 0xdbff && index + 1 < text.length;
}
