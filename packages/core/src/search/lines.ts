import type { Range } from './matcher.js';
import type { MatchedLine } from './types.js';

/** Longest snippet reported for one line, in UTF-16 units (plus the ellipses). */
export const SNIPPET_LENGTH = 200;
/** How much of the line before the first match a shortened snippet keeps. */
const SNIPPET_LEAD = 40;
const ELLIPSIS = '…';

export interface LineReport {
  lines: MatchedLine[];
  lineMatchCount: number;
}

/**
 * Groups match ranges (sorted, non-overlapping) by the content lines they touch: a match that
 * spans a line break is reported on every line it covers. Lines end at '\n'; a trailing '\r'
 * is not part of the reported text.
 */
export function reportLines(content: string, ranges: readonly Range[], maxLines: number): LineReport {
  const lines: MatchedLine[] = [];
  let lineMatchCount = 0;
  let lineNumber = 1;
  let lineStart = 0;
  let lineEnd = lineEndFrom(content, 0);
  let current: { line: number; start: number; end: number; ranges: Range[] } | undefined;
  const finish = () => {
    if (!current) return;
    lineMatchCount++;
    if (lines.length < maxLines)
      lines.push(snippet(content, current.start, current.end, current.line, current.ranges));
    current = undefined;
  };
  const advanceTo = (offset: number) => {
    while (offset > lineEnd) {
      finish();
      lineStart = lineEnd + 1;
      lineEnd = lineEndFrom(content, lineStart);
      lineNumber++;
    }
  };
  for (const [start, end] of ranges) {
    advanceTo(start);
    let from = start;
    for (;;) {
      if (!current) current = { line: lineNumber, start: lineStart, end: lineEnd, ranges: [] };
      current.ranges.push([from - lineStart, Math.min(end, lineEnd) - lineStart]);
      if (end <= lineEnd + 1 || lineEnd >= content.length) break;
      advanceTo(lineEnd + 1);
      from = lineStart;
      if (from >= end) break;
    }
  }
  finish();
  return { lines, lineMatchCount };
}

function lineEndFrom(content: string, start: number): number {
  const at = content.indexOf('\n', start);
  return at === -1 ? content.length : at;
}

function snippet(content: string, start: number, end: number, line: number, ranges: Range[]): MatchedLine {
  const textEnd = end > start && content.charCodeAt(end - 1) === 13 ? end - 1 : end;
  const length = textEnd - start;
  const clipped = ranges.map(([a, b]): Range => [Math.min(a, length), Math.min(b, length)]);
  if (length <= SNIPPET_LENGTH) return { line, text: content.slice(start, textEnd), ranges: clipped };
  const first = clipped[0]?.[0] ?? 0;
  let from = Math.max(0, Math.min(first - SNIPPET_LEAD, length - SNIPPET_LENGTH));
  if (isLowSurrogate(content.charCodeAt(start + from))) from++;
  let to = Math.min(length, from + SNIPPET_LENGTH);
  if (to < length && isLowSurrogate(content.charCodeAt(start + to))) to++;
  const lead = from > 0 ? ELLIPSIS : '';
  const text = lead + content.slice(start + from, start + to) + (to < length ? ELLIPSIS : '');
  const shift = lead.length - from;
  const visible = clipped
    .filter(([a, b]) => b >= from && a <= to && !(a === b && (a < from || a > to)))
    .map(([a, b]): Range => [Math.max(a, from) + shift, Math.min(b, to) + shift]);
  return { line, text, ranges: visible };
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}
