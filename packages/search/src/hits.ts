import type { Entry } from '@datalake/model';
import { LineReporter } from './lines.js';
import type { TextMatcher } from './matcher.js';
import { TimeBudgetExceeded } from './run.js';
import type { EntryTexts } from './text.js';
import type { MatchedLine, MatchField, SearchHit } from './types.js';

/** What matching found in one content: it depends on the bytes alone, so entries sharing content share it. */
export interface ContentMatch {
  matches: number;
  lines: MatchedLine[];
  lineMatchCount: number;
}

export const NO_CONTENT_MATCH: ContentMatch = Object.freeze({ matches: 0, lines: [], lineMatchCount: 0 });

/** One piece of matching work: a content with its line report, or an entry's own fields. */
export type MatchJob =
  | { kind: 'content'; text: string; maxLines: number }
  | { kind: 'fields'; name: string; metadata: string };

/** The answer to a `MatchJob`: the content's match, or the numbers of matches in name and metadata. */
export type MatchAnswer = ContentMatch | [number, number];

/** Matching of one query, as search uses it. */
export interface QueryMatcher {
  /**
   * Answers jobs in order, all of them unless the search's time ran out: then the answers are a
   * prefix of the jobs (possibly empty), and the caller must stop.
   */
  run(jobs: readonly MatchJob[]): MatchAnswer[];
}

/** A `QueryMatcher` running `matcher` on this thread (it never runs out of time on its own). */
export function localMatcher(matcher: TextMatcher): QueryMatcher {
  return { run: (jobs) => jobs.map((job) => answer(matcher, job)) };
}

/** The answer to one job, on this thread. */
export function answer(matcher: TextMatcher, job: MatchJob): MatchAnswer {
  return job.kind === 'content'
    ? matchContent(job.text, matcher, job.maxLines)
    : [matcher(job.name), matcher(job.metadata)];
}

export function matchContent(content: string, matcher: TextMatcher, maxLines: number): ContentMatch {
  const reporter = new LineReporter(content, maxLines);
  const matches = matcher(content, (start, end) => reporter.add(start, end));
  if (matches === 0) return NO_CONTENT_MATCH;
  return { matches, ...reporter.result() };
}

/**
 * The hit for one entry, or `null` when nothing matched. The score is the number of matches
 * over all fields unless `score` is given (words mode passes its BM25 score). Throws
 * `TimeBudgetExceeded` when the matcher ran out of time.
 */
export function buildHit(
  entry: Entry,
  texts: EntryTexts,
  matcher: QueryMatcher,
  maxLines: number,
  score?: number,
): SearchHit | null {
  const answers = matcher.run([
    { kind: 'content', text: texts.content, maxLines },
    { kind: 'fields', name: texts.name, metadata: texts.metadata },
  ]);
  if (answers.length < 2) throw new TimeBudgetExceeded('the search ran out of time');
  return assembleHit(entry, answers[0] as ContentMatch, answers[1] as [number, number], score);
}

/** Combines a content match with the numbers of matches in the entry's own name and metadata. */
export function assembleHit(
  entry: Entry,
  content: ContentMatch,
  [nameMatches, metadataMatches]: [number, number],
  score?: number,
): SearchHit | null {
  const matchedIn: MatchField[] = [];
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
