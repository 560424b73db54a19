import { compareKeys, ValidationError } from '@datalake/model';
import type { SearchHit, SearchMode } from './types.js';

/**
 * Position after the last hit of a page. Substring and regex hits are ordered by `filePath`
 * (so a page can be answered without verifying every candidate); word hits by score, then path.
 */
export interface Cursor {
  filePath: string;
  score: number;
}

export function encodeSearchCursor(mode: SearchMode, hit: Pick<SearchHit, 'entry' | 'score'>): string {
  const payload = mode === 'words' ? [mode, hit.entry.filePath, hit.score] : [mode, hit.entry.filePath];
  return Buffer.from(JSON.stringify(payload), 'utf8').toString('base64url');
}

/** A cursor of a path-ordered mode positioned after `filePath` (`''`: before every entry). */
export function encodePathCursor(mode: Exclude<SearchMode, 'words'>, filePath: string): string {
  return Buffer.from(JSON.stringify([mode, filePath]), 'utf8').toString('base64url');
}

export function decodeSearchCursor(cursor: string, mode: SearchMode): Cursor {
  const invalid = () => new ValidationError(`invalid search cursor ${JSON.stringify(cursor)}`);
  if (typeof cursor !== 'string' || cursor.length === 0) throw invalid();
  let payload: unknown;
  try {
    payload = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (!Array.isArray(payload) || payload[0] !== mode || typeof payload[1] !== 'string') throw invalid();
  if (mode !== 'words') return { filePath: payload[1], score: 0 };
  if (typeof payload[2] !== 'number' || !Number.isFinite(payload[2])) throw invalid();
  return { filePath: payload[1], score: payload[2] };
}

/** Hit order of the mode; negative when `a` comes first. */
export function compareHits(mode: SearchMode, a: Cursor, b: Cursor): number {
  if (mode === 'words' && a.score !== b.score) return b.score - a.score;
  return compareKeys(a.filePath, b.filePath);
}

export function isAfterCursor(mode: SearchMode, position: Cursor, cursor: Cursor | undefined): boolean {
  return cursor === undefined || compareHits(mode, position, cursor) > 0;
}
