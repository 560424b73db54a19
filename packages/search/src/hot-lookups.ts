import type { WordPattern } from './word-patterns.js';

/**
 * What recent queries looked up in every segment: trigrams and word patterns, most recent kept. A
 * segment just written gets their lists ready (see `SearchIndex.warm`), so that the first search
 * after a flush or a merge costs what later ones do, not the reading of its lists.
 */
export class HotLookups {
  private readonly trigramKeys = new Set<number>();
  private readonly wordPatterns = new Map<string, WordPattern>();

  constructor(
    private readonly maxTrigrams = 128,
    private readonly maxPatterns = 32,
  ) {}

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
}

function first<T>(values: IterableIterator<T>): T {
  return values.next().value as T;
}
