import type { Entry } from '@datalake/model';
import { CorruptDataError, NotFoundError } from '@datalake/model';
import { isBinary, isTooLarge, maxIndexedBytesOf } from './content-rule.js';
import type { SearchHost } from './host.js';
import type { SearchIncomplete, SearchResult, SkippedEntry } from './types.js';

/** How long a search may take unless `timeBudgetMs` says otherwise. */
export const DEFAULT_TIME_BUDGET_MS = 10_000;

/** Thrown inside a search when its time budget runs out in the middle of matching. */
export class TimeBudgetExceeded extends Error {}

/** What `SearchRun.content` gives for content that search leaves out by rule: nothing to match. */
export const NOT_SEARCHED: Uint8Array = new Uint8Array(0);

/**
 * One search as it runs: its deadline, which contents it reads (the same rule as the index's), and
 * the entries it had to leave out.
 */
export class SearchRun {
  private readonly started = performance.now();
  /** `performance.now()` time at which the search stops. */
  readonly deadline: number;
  private readonly maxIndexedBytes: number;
  private readonly skipped: SkippedEntry[] = [];

  /**
   * `keptOut`: tells, where known without reading, that an entry's content is kept out of search (the
   * index remembers which contents are binary, so they need not be read again to find out).
   */
  constructor(
    private readonly host: SearchHost,
    timeBudgetMs: number,
    private readonly keptOut: (entry: Entry) => boolean = () => false,
  ) {
    this.deadline = this.started + timeBudgetMs;
    this.maxIndexedBytes = maxIndexedBytesOf(host);
  }

  get expired(): boolean {
    return performance.now() >= this.deadline;
  }

  /** Bytes that reading an entry's content for search holds in memory (none when it is not read). */
  readCost(entry: Entry): number {
    return isTooLarge(entry, this.maxIndexedBytes) || this.keptOut(entry) ? 0 : entry.size;
  }

  /**
   * An entry's content as search matches it: `NOT_SEARCHED` for content the index keeps out (over
   * `maxIndexedBytes`, not even read; binary), `null` when the entry is to be left out: it is gone,
   * or its content is missing or corrupt (then listed in `skipped`, with a notice). `worthChecking`
   * as in `SearchHost.readBytes`.
   */
  async content(entry: Entry, worthChecking?: (bytes: Uint8Array) => boolean): Promise<Uint8Array | null> {
    if (isTooLarge(entry, this.maxIndexedBytes) || this.keptOut(entry)) return NOT_SEARCHED;
    let bytes: Uint8Array;
    try {
      bytes = await this.host.readBytes(entry, worthChecking);
    } catch (error) {
      if (error instanceof NotFoundError) return null; // deleted since the search began
      if (!(error instanceof CorruptDataError)) throw error;
      this.skip(entry, error);
      return null;
    }
    return isBinary(bytes) ? NOT_SEARCHED : bytes;
  }

  /** Adds what the run noted to a page of results; `stoppedAt` when the budget ran out. */
  finish(result: SearchResult, stopped?: { stoppedAt?: string }): SearchResult {
    if (stopped) {
      const incomplete: SearchIncomplete = {
        reason: 'time-budget',
        elapsedMs: Math.round(performance.now() - this.started),
      };
      if (stopped.stoppedAt !== undefined) incomplete.stoppedAt = stopped.stoppedAt;
      result.incomplete = incomplete;
    }
    if (this.skipped.length > 0) result.skipped = [...this.skipped];
    return result;
  }

  private skip(entry: Entry, error: CorruptDataError): void {
    if (this.skipped.some((skipped) => skipped.id === entry.id)) return;
    this.skipped.push({ id: entry.id, filePath: entry.filePath, code: error.code, message: error.message });
    this.host.notice(`search skipped ${entry.filePath} (entry ${entry.id}): ${error.message}`);
  }
}
