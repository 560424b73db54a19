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
 * Groups matches (handed over in order, non-overlapping) by the content lines they touch: a match that
 * spans a line break is reported on every line it covers. Lines end at '\n'; a trailing '\r' is not
 * part of the reported text. Memory stays bounded however many matches there are: only the ranges a
 * reported snippet can show are kept.
 */
export class LineReporter {
  private readonly lines: MatchedLine[] = [];
  private lineMatchCount = 0;
  private lineNumber = 1;
  private lineStart = 0;
  private lineEnd: number;
  private current: { line: number; start: number; end: number; ranges: Range[] } | undefined;

  constructor(
    private readonly content: string,
    private readonly maxLines: number,
  ) {
    this.lineEnd = lineEndFrom(content, 0);
  }

  add(start: number, end: number): void {
    this.advanceTo(start);
    let from = start;
    for (;;) {
      this.note(from - this.lineStart, Math.min(end, this.lineEnd) - this.lineStart);
      if (end <= this.lineEnd + 1 || this.lineEnd >= this.content.length) break;
      this.advanceTo(this.lineEnd + 1);
      from = this.lineStart;
      if (from >= end) break;
    }
  }

  result(): LineReport {
    this.finish();
    return { lines: this.lines, lineMatchCount: this.lineMatchCount };
  }

  /** Adds a range (line-relative) to the current line. */
  private note(a: number, b: number): void {
    let current = this.current;
    if (!current) {
      current = { line: this.lineNumber, start: this.lineStart, end: this.lineEnd, ranges: [] };
      this.current = current;
    }
    if (this.lines.length >= this.maxLines) return; // counted only
    const first = current.ranges[0]?.[0];
    // A snippet starts at or before the first match and is SNIPPET_LENGTH long: later ranges never show.
    if (first === undefined || a <= first + SNIPPET_LENGTH) current.ranges.push([a, b]);
  }

  private advanceTo(offset: number): void {
    while (offset > this.lineEnd) {
      this.finish();
      this.lineStart = this.lineEnd + 1;
      this.lineEnd = lineEndFrom(this.content, this.lineStart);
      this.lineNumber++;
    }
  }

  private finish(): void {
    const current = this.current;
    if (!current) return;
    this.lineMatchCount++;
    if (this.lines.length < this.maxLines)
      this.lines.push(snippet(this.content, current.start, current.end, current.line, current.ranges));
    this.current = undefined;
  }
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
