import type { Entry } from '../model/entry.js';
import { reportLines } from './lines.js';
import type { TextMatcher } from './matcher.js';
import type { EntryTexts } from './text.js';
import type { MatchedLine, MatchField, SearchHit } from './types.js';

/** What matching found in one content: it depends on the bytes alone, so entries sharing content share it. */
export interface ContentMatch {
  matches: number;
  lines: MatchedLine[];
  lineMatchCount: number;
}

export function matchContent(content: string, matcher: TextMatcher, maxLines: number): ContentMatch {
  const ranges = matcher(content);
  if (ranges.length === 0) return { matches: 0, lines: [], lineMatchCount: 0 };
  return { matches: ranges.length, ...reportLines(content, ranges, maxLines) };
}

/**
 * The hit for one entry, or `null` when nothing matched. The score is the number of matches
 * over all fields unless `score` is given (words mode passes its BM25 score).
 */
export function buildHit(
  entry: Entry,
  texts: EntryTexts,
  matcher: TextMatcher,
  maxLines: number,
  score?: number,
): SearchHit | null {
  return assembleHit(entry, texts, matchContent(texts.content, matcher, maxLines), matcher, score);
}

/** Combines a content match with matching of the entry's own name and metadata. */
export function assembleHit(
  entry: Entry,
  texts: Omit<EntryTexts, 'content'>,
  content: ContentMatch,
  matcher: TextMatcher,
  score?: number,
): SearchHit | null {
  const matchedIn: MatchField[] = [];
  const nameMatches = matcher(texts.name).length;
  const metadataMatches = matcher(texts.metadata).length;
  if (nameMatches > 0) matchedIn.push('name');
  if (content.matches > 0) matchedIn.push('content');
  if (metadataMatches > 0) matchedIn.push('metadata');
  if (matchedIn.length === 0) return null;
  const matches = nameMatches + content.matches + metadataMatches;
  return {
    entry,
    score: score ?? matches,
    matchedIn,
    lines: content.lines.map((line) => ({ ...line, ranges: line.ranges.map(([a, b]) => [a, b]) })),
    lineMatchCount: content.lineMatchCount,
  };
}
