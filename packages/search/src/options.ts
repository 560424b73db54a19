import type { JsonValue } from '@datalake/model';
import { type DataType, isDataType, pathProblem, ValidationError } from '@datalake/model';
import { type Cursor, decodeSearchCursor } from './cursor.js';
import { DEFAULT_TIME_BUDGET_MS } from './run.js';
import { parseWordsQuery, type WordsQuery } from './text.js';
import type { SearchMode, SearchOptions } from './types.js';

export const DEFAULT_SEARCH_LIMIT = 50;
export const MAX_SEARCH_LIMIT = 1000;
export const DEFAULT_LINES_PER_HIT = 5;
export const MAX_LINES_PER_HIT = 1000;

/** Validated filters; `undefined` members do not restrict. */
export interface SearchFilters {
  dataTypes?: ReadonlySet<DataType>;
  subpath?: string;
  metadata?: ReadonlyArray<[string, JsonValue]>;
  createdFrom?: number;
  createdTo?: number;
  modifiedFrom?: number;
  modifiedTo?: number;
}

interface QueryBase {
  query: string;
  caseSensitive: boolean;
  filters: SearchFilters;
  limit: number;
  maxLinesPerHit: number;
  /** Milliseconds the search may take (`Infinity`: no limit). */
  timeBudgetMs: number;
  cursor?: Cursor;
}

export type NormalisedQuery =
  | (QueryBase & { mode: 'substring' })
  | (QueryBase & { mode: 'regex'; regex: RegExp })
  | (QueryBase & { mode: 'words'; words: WordsQuery });

/** Checks every option once, so scan and index see the same validated query. */
export function normaliseQuery(query: string, options: SearchOptions = {}): NormalisedQuery {
  if (typeof query !== 'string' || query.length === 0)
    throw new ValidationError('search query must be a non-empty string');
  const mode: SearchMode = options.mode ?? 'substring';
  const base: QueryBase = {
    query,
    caseSensitive: options.caseSensitive === true,
    filters: normaliseFilters(options),
    limit: boundedInteger('limit', options.limit, DEFAULT_SEARCH_LIMIT, 1, MAX_SEARCH_LIMIT),
    maxLinesPerHit: boundedInteger(
      'maxLinesPerHit',
      options.maxLinesPerHit,
      DEFAULT_LINES_PER_HIT,
      0,
      MAX_LINES_PER_HIT,
    ),
    timeBudgetMs: timeBudget(options.timeBudgetMs),
  };
  if (options.cursor !== undefined) base.cursor = decodeSearchCursor(options.cursor, mode);
  switch (mode) {
    case 'substring':
      return { ...base, mode };
    case 'regex':
      return { ...base, mode, regex: compileRegex(query, base.caseSensitive) };
    case 'words': {
      const words = parseWordsQuery(query);
      if (!words) throw new ValidationError(`words query ${JSON.stringify(query)} contains no word`);
      return { ...base, mode, words };
    }
    default:
      throw new ValidationError(`unknown search mode ${JSON.stringify(mode)}`);
  }
}

/** Regex queries use Unicode mode and per-line anchors (`^`/`$` match at line breaks). */
export function compileRegex(source: string, caseSensitive: boolean): RegExp {
  try {
    return new RegExp(source, caseSensitive ? 'gmu' : 'gimu');
  } catch (error) {
    throw new ValidationError(
      `invalid regular expression ${JSON.stringify(source)}: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
}

function boundedInteger(name: string, value: number | undefined, fallback: number, min: number, max: number) {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < min)
    throw new ValidationError(`${name} must be an integer of at least ${min}, got ${String(value)}`);
  return Math.min(value, max);
}

function timeBudget(value: number | undefined): number {
  if (value === undefined) return DEFAULT_TIME_BUDGET_MS;
  if (typeof value !== 'number' || Number.isNaN(value) || value <= 0)
    throw new ValidationError(`timeBudgetMs must be a positive number of milliseconds, got ${String(value)}`);
  return value;
}

function normaliseFilters(options: SearchOptions): SearchFilters {
  const filters: SearchFilters = {};
  if (options.dataType !== undefined) {
    const types = typeof options.dataType === 'string' ? [options.dataType] : [...options.dataType];
    for (const type of types)
      if (!isDataType(type)) throw new ValidationError(`unknown data type ${JSON.stringify(type)}`);
    filters.dataTypes = new Set(types);
  }
  if (options.subpath !== undefined && options.subpath !== '') {
    const subpath = options.subpath.endsWith('/') ? options.subpath.slice(0, -1) : options.subpath;
    const problem = pathProblem(subpath);
    if (problem)
      throw new ValidationError(`invalid subpath ${JSON.stringify(options.subpath)}: it ${problem}`);
    filters.subpath = subpath;
  }
  if (options.metadata !== undefined) {
    if (options.metadata === null || typeof options.metadata !== 'object' || Array.isArray(options.metadata))
      throw new ValidationError('the metadata filter must be an object of key/value pairs');
    filters.metadata = Object.entries(options.metadata);
  }
  if (options.createdAfter !== undefined) filters.createdFrom = instant('createdAfter', options.createdAfter);
  if (options.createdBefore !== undefined)
    filters.createdTo = instant('createdBefore', options.createdBefore);
  if (options.modifiedAfter !== undefined)
    filters.modifiedFrom = instant('modifiedAfter', options.modifiedAfter);
  if (options.modifiedBefore !== undefined)
    filters.modifiedTo = instant('modifiedBefore', options.modifiedBefore);
  return filters;
}

function instant(name: string, value: string | Date): number {
  const time =
    value instanceof Date ? value.getTime() : typeof value === 'string' ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(time)) throw new ValidationError(`${name} is not a valid date: ${JSON.stringify(value)}`);
  return time;
}
