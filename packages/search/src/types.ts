import type { DataType, Entry, JsonValue } from '@datalake/model';
import type { NotIndexedReason } from './content-rule.js';

export type { NotIndexedReason } from './content-rule.js';

/**
 * - `substring` (default): the query is a literal; every occurrence counts.
 * - `regex`: the query is a JavaScript regular expression source (without slashes or flags).
 * - `words`: ranked word search (BM25) over prose; the last word also matches as a prefix.
 */
export type SearchMode = 'substring' | 'regex' | 'words';

export interface SearchOptions {
  mode?: SearchMode;
  /** Default false. */
  caseSensitive?: boolean;
  /** One type or several. */
  dataType?: DataType | readonly DataType[];
  /** Folder prefix below the type folder (as in `list`). */
  subpath?: string;
  /** Entry metadata must have each of these top-level keys equal to the value (string forms compared). */
  metadata?: Record<string, JsonValue>;
  /** ISO-8601 or Date bounds on `createdAt` (inclusive). */
  createdAfter?: string | Date;
  createdBefore?: string | Date;
  /** Bounds on the last modification (`updatedAt ?? createdAt`), inclusive. */
  modifiedAfter?: string | Date;
  modifiedBefore?: string | Date;
  /** Hits per page, default 50, at most 1000. */
  limit?: number;
  /** From the previous page's `cursor`. */
  cursor?: string;
  /** Matching lines reported per hit, default 5. */
  maxLinesPerHit?: number;
  /**
   * Milliseconds the search may take, default 10,000 (`Infinity`: no limit). When they run out the
   * search stops and answers with what it found so far, marked `incomplete`. A regular expression is
   * stopped even in the middle of a match (it runs on a worker thread, which is then terminated).
   */
  timeBudgetMs?: number;
}

/** Where in an entry the query matched. */
export type MatchField = 'name' | 'content' | 'metadata';

export interface MatchedLine {
  /** 1-based line number in the content. */
  line: number;
  /** The line (shortened to a snippet around the first match on it when long). */
  text: string;
  /** [start, end) UTF-16 offsets of the matches within `text`. */
  ranges: Array<[number, number]>;
}

export interface SearchHit {
  entry: Entry;
  score: number;
  matchedIn: MatchField[];
  /** Content lines that matched, in line order (at most `maxLinesPerHit`). */
  lines: MatchedLine[];
  /** Number of matching content lines in total (may exceed `lines.length`). */
  lineMatchCount: number;
}

export interface SearchResult {
  hits: SearchHit[];
  /**
   * Present when more hits may follow: pass it back as `cursor` for the next page. After an
   * `incomplete` substring or regex search it continues right after the last entry examined.
   */
  cursor?: string;
  /** Present when the search stopped before it was done; `hits` are those found until then. */
  incomplete?: SearchIncomplete;
  /** Entries the search had to read but could not (content missing or corrupt): left out of `hits`. */
  skipped?: SkippedEntry[];
}

/** Why and where a search stopped early. */
export interface SearchIncomplete {
  reason: 'time-budget';
  /** How long the search ran, in milliseconds. */
  elapsedMs: number;
  /**
   * The `filePath` of the first entry not examined (substring and regex modes). Its hits, and those of
   * every later entry, are missing from this answer; `cursor` continues from it.
   */
  stoppedAt?: string;
}

/** An entry left out of a search because its content could not be read. */
export interface SkippedEntry {
  id: string;
  filePath: string;
  /** The error's code (`CORRUPT` for missing or damaged content) and message. */
  code: string;
  message: string;
}

/** An entry whose content the index does not hold (see `NotIndexedReason`). */
export interface NotIndexedEntry {
  id: string;
  filePath: string;
  size: number;
  reason: NotIndexedReason;
  /** For `failed`: what went wrong. */
  detail?: string;
}

/** Tuning of the persistent search index (all optional). */
export interface SearchIndexOptions {
  /** Buffered documents are written as a new segment once their text reaches this many bytes. Default 16 MiB. */
  flushBytes?: number;
  /**
   * Merge factor: once this many segments of about the same size exist, a flush merges them into
   * one of the next size tier (so each indexed byte is merged a logarithmic number of times).
   * Default 8.
   */
  maxSegments?: number;
  /** Budget for decoded posting lists kept in memory between queries, in bytes. Default 64 MiB. */
  postingCacheBytes?: number;
  /**
   * Substring and regex queries whose trigrams leave at least this many candidates also check them
   * against each document's words before reading any content (default 64; 0: always). Below it,
   * reading the few candidates costs less than looking their words up.
   */
  wordFilterMinCandidates?: number;
  /** Index entries the stored index does not cover while opening (default true); otherwise they are scanned until `sync`. */
  catchUpOnOpen?: boolean;
  /**
   * Analyse upserted contents on a worker thread (default false), so a bulk load uses a second
   * core. Such entries are found by scanning their content until their segment is written (every
   * `flushBytes` of content, and on `flush`/`close`). Running from the TypeScript sources (no
   * build), the analysis stays on the calling thread.
   */
  worker?: boolean;
}

/** What `rebuild` did. */
export interface IndexReport {
  /** Entries indexed (including those indexed by name and metadata only). */
  documents: number;
  /** Of these, entries whose content is not indexed (see `NotIndexedReason`). */
  notIndexed: number;
  /** Bytes of text (name, content, metadata) indexed. */
  indexedBytes: number;
  /** Segments in the index afterwards. */
  segments: number;
  /** Total size of the index objects, in bytes. */
  indexBytes: number;
  durationMs: number;
}

/** What `check` found when comparing the index with the entries. */
export interface IndexCheckReport {
  ok: boolean;
  entries: number;
  /** Entries the index answers for. */
  covered: number;
  /** Ids of entries the index does not cover (never indexed, or indexed with other content). */
  uncovered: string[];
  segments: number;
  /** Keys of segment objects that failed their checksum or could not be decoded. */
  corruptSegments: string[];
  indexBytes: number;
  /**
   * Entries the index covers by name and metadata only (binary, too large) or whose analysis failed
   * (searched by reading their content instead): by design, so they do not make `ok` false.
   */
  notIndexed: NotIndexedEntry[];
}
