import type { PlacedTrigram } from './trigrams.js';
import type { WordPattern } from './word-patterns.js';

/** A recent substring or regex query's literals: its signature (see `SearchIndex.candidates`) and trigram runs. */
export interface HotQuery {
  signature: string;
  runs: readonly PlacedTrigram[][];
}

/**
 * What recent queries looked up in every segment: trigrams, word patterns and the queries' candidate
 * lists, most recent kept. A segment just written gets their lists ready (see `SearchIndex.warm`), so that the first search
 * after a flush or a merge costs what later ones do, not the reading of its lists.
 */
export class HotLookups {
  private readonly trigramKeys = new Set<number>();
  private readonly wordPatterns = new Map<string, WordPattern>();
  private readonly recentQueries = new Map<string, HotQuery>();

  constructor(
    private readonly maxTrigrams = 128,
    private readonly maxPatterns = 32,
    private readonly maxQueries = 32,
  ) {}

  noteQuery(query: HotQuery): void {
    this.recentQueries.delete(query.signature);
    this.recentQueries.set(query.signature, query);
    if (this.recentQueries.size > this.maxQueries)
      this.recentQueries.delete(first(this.recentQueries.keys()));
  }

  noteTrigram(key: number): void {
    this.trigramKeys.delete(key);
    this.trigramKeys.add(key);
    if (this.trigramKeys.size > this.maxTrigrams) this.trigramKeys.delete(first(this.trigramKeys.keys()));
  }

  notePattern(pattern: WordPattern): void {
    const name = `${pattern.kind}:${pattern.text}`;
    this.wordPatterns.delete(name);
    this.wordPatterns.set(name, pattern);
    if (this.wordPatterns.size > this.maxPatterns) this.wordPatterns.delete(first(this.wordPatterns.keys()));
  }

  trigrams(): number[] {
    return [...this.trigramKeys];
  }

  patterns(): WordPattern[] {
    return [...this.wordPatterns.values()];
  }

  queries(): HotQuery[] {
    return [...this.recentQueries.values()];
  }
}

function first<T>(values: IterableIterator<T>): T {
  return values.next().value as T;
}
