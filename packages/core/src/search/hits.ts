import type { Entry } from '../model/entry.js';
import { LineReporter } from './lines.js';
import type { TextMatcher } from './matcher.js';
import type { EntryTexts } from './text.js';
import type { MatchedLine, MatchField, SearchHit } from './types.js';

/** What matching found in one content: it depends on the bytes alone, so entries sharing content share it. */
export interface ContentMatch {
  matches: number;
  lines: MatchedLine[];
  lineMatchCount: number;
}

export const NO_CONTENT_MATCH: ContentMatch = Object.freeze({ matches: 0, lines: [], lineMatchCount: 0 });

/** Matching of one query, as search uses it: a content with its line report, an entry's own fields. */
export interface QueryMatcher {
  content(text: string, maxLines: number): ContentMatch;
  /** Numbers of matches in an entry's name and in its metadata text. */
  fields(name: string, metadata: string): [number, number];
}

/** A `QueryMatcher` running `matcher` on this thread. */
export function localMatcher(matcher: TextMatcher): QueryMatcher {
  return {
    content: (text, maxLines) => matchContent(text, matcher, maxLines),
    fields: (name, metadata) => [matcher(name), matcher(metadata)],
  };
}

export function matchContent(content: string, matcher: TextMatcher, maxLines: number): ContentMatch {
  const reporter = new LineReporter(content, maxLines);
  const matches = matcher(content, (start, end) => reporter.add(start, end));
  if (matches === 0) return NO_CONTENT_MATCH;
  return { matches, ...reporter.result() };
}

/**
 * The hit for one entry, or `null` when nothing matched. The score is the number of matches
 * over all fields unless `score` is given (words mode passes its BM25 score).
 */
export function buildHit(
  entry: Entry,
  texts: EntryTexts,
  matcher: QueryMatcher,
  maxLines: number,
  score?: number,
): SearchHit | null {
  return assembleHit(entry, texts, matcher.content(texts.content, maxLines), matcher, score);
}

/** Combines a content match with matching of the entry's own name and metadata. */
export function assembleHit(
  entry: Entry,
  texts: Omit<EntryTexts, 'content'>,
  content: ContentMatch,
  matcher: QueryMatcher,
  score?: number,
): SearchHit | null {
  const matchedIn: MatchField[] = [];
  const [nameMatches, metadataMatches] = matcher.fields(texts.name, texts.metadata);
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
