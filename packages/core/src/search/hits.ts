import type { Entry } from '../model/entry.js';
import { reportLines } from './lines.js';
import type { TextMatcher } from './matcher.js';
import type { EntryTexts } from './text.js';
import type { MatchField, SearchHit } from './types.js';

const FIELDS: readonly MatchField[] = ['name', 'content', 'metadata'];

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
  const matchedIn: MatchField[] = [];
  let matches = 0;
  let contentRanges: ReturnType<TextMatcher> = [];
  for (const field of FIELDS) {
    const ranges = matcher(texts[field]);
    if (ranges.length === 0) continue;
    matchedIn.push(field);
    matches += ranges.length;
    if (field === 'content') contentRanges = ranges;
  }
  if (matchedIn.length === 0) return null;
  const { lines, lineMatchCount } = reportLines(texts.content, contentRanges, maxLines);
  return { entry, score: score ?? matches, matchedIn, lines, lineMatchCount };
}
