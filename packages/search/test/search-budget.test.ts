import type { Entry } from '@datalake/model';
import { ValidationError } from '@datalake/model';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SearchIndex, scanSearch } from '../src/index.js';
import type { SearchHit, SearchOptions, SearchResult } from '../src/types.js';
import type { WorkerScript } from '../src/worker-script.js';
import { MapBackend } from './support/map-backend.js';
import { TestHost } from './support/search-host.js';
import { sourceWorkerScript } from './support/source-worker.js';

// Regular expressions run on the regex worker, started from its sources.
const script: { regex: WorkerScript | undefined } = { regex: undefined };
vi.mock('../src/worker-script.js', () => ({
  indexWorkerScript: () => undefined,
  regexWorkerScript: () => script.regex,
}));

afterEach(() => {
  vi.useRealTimers();
});

/** A host whose every content read takes `readMs` on the (fake) clock of `performance.now()`. */
class SlowHost extends TestHost {
  constructor(private readonly readMs: number) {
    super(new MapBackend());
  }

  override async readBytes(entry: Entry): Promise<Uint8Array> {
    vi.advanceTimersByTime(this.readMs);
    return super.readBytes(entry);
  }
}

async function slowHostWith(count: number): Promise<SlowHost> {
  const host = new SlowHost(10);
  for (let i = 0; i < count; i++) {
    const name = `f${String(i).padStart(3, '0')}.txt`;
    await host.put({ name, dataType: 'other', content: `zebra number ${i}\nquokka\n` });
  }
  return host;
}

type Search = (query: string, options: SearchOptions) => Promise<SearchResult>;

/** Follows cursors through incomplete pages (with the budget) to the end. */
async function allPages(search: Search, query: string, options: SearchOptions) {
  const hits: SearchHit[] = [];
  let incompletePages = 0;
  let cursor: string | undefined;
  for (let page = 0; page < 100; page++) {
    const result = await search(query, { ...options, cursor });
    hits.push(...result.hits);
    if (result.incomplete) incompletePages++;
    cursor = result.cursor;
    if (!cursor) break;
  }
  return { hits, incompletePages };
}

describe('the time budget', () => {
  it('is validated', async () => {
    const host = new TestHost(new MapBackend());
    for (const timeBudgetMs of [0, -5, Number.NaN, '10' as unknown as number])
      await expect(scanSearch(host, 'x', { timeBudgetMs })).rejects.toThrow(ValidationError);
    await expect(scanSearch(host, 'x', { timeBudgetMs: Number.POSITIVE_INFINITY })).resolves.toEqual({
      hits: [],
    });
  });

  it('stops a search with the hits found so far and a cursor that continues it (scan and index)', async () => {
    vi.useFakeTimers({ toFake: ['performance'] });
    const host = await slowHostWith(80);
    const index = await SearchIndex.open(host);
    const complete = await scanSearch(host, 'zebra', { limit: 1000, timeBudgetMs: Number.POSITIVE_INFINITY });
    expect(complete.hits).toHaveLength(80);
    for (const search of [
      (query: string, options: SearchOptions) => scanSearch(host, query, options),
      (query: string, options: SearchOptions) => index.search(query, options),
    ]) {
      const first = await search('zebra', { limit: 1000, timeBudgetMs: 100 });
      expect(first.incomplete).toMatchObject({ reason: 'time-budget' });
      expect(first.hits.length).toBeLessThan(80);
      expect(first.incomplete?.stoppedAt).toBe(complete.hits[first.hits.length]?.entry.filePath);
      expect(first.cursor).toBeDefined();
      // Page after page, the incomplete answers add up to the complete one.
      const paged = await allPages(search, 'zebra', { limit: 1000, timeBudgetMs: 100 });
      expect(paged.incompletePages).toBeGreaterThan(1);
      expect(paged.hits).toEqual(complete.hits);
    }
    await index.close();
  });

  it('stops a words search with a ranking of what it read, without a cursor', async () => {
    vi.useFakeTimers({ toFake: ['performance'] });
    const host = await slowHostWith(40);
    const result = await scanSearch(host, 'zebra', { mode: 'words', limit: 1000, timeBudgetMs: 100 });
    expect(result.incomplete).toMatchObject({ reason: 'time-budget' });
    expect(result.incomplete?.stoppedAt).toBeUndefined();
    expect(result.cursor).toBeUndefined();
    expect(result.hits.length).toBeGreaterThan(0);
    expect(result.hits.length).toBeLessThan(40);
  });
});

describe('regular expressions on the regex worker', () => {
  async function hostWithLongLine(): Promise<TestHost> {
    const host = new TestHost(new MapBackend());
    await host.put({ name: 'a.txt', dataType: 'other', content: 'aaa\n' });
    await host.put({ name: 'b.txt', dataType: 'other', content: `${'a'.repeat(40_000)}!\n` });
    await host.put({ name: 'c.txt', dataType: 'other', content: 'aaaa\n' });
    return host;
  }

  it('give the same answers as on this thread', async () => {
    const host = await hostWithLongLine();
    await host.put({ name: 'd.sql', dataType: 'schema', content: 'CREATE TABLE t (\n  id INT\n);\n' });
    const queries = ['^a{3,4}$', 'create\\s+table', '^\\s*id', 'x*', '(?<=t )\\w+'];
    const local = await Promise.all(queries.map((query) => scanSearch(host, query, { mode: 'regex' })));
    script.regex = sourceWorkerScript('../../src/regex-worker.ts');
    try {
      const unlimited = { mode: 'regex', timeBudgetMs: Number.POSITIVE_INFINITY } as const;
      const onWorker = [];
      for (const query of queries) onWorker.push(await scanSearch(host, query, unlimited));
      expect(onWorker).toEqual(local);
    } finally {
      script.regex = undefined;
    }
  });

  it('are stopped at the deadline, even in the middle of a catastrophic match', async () => {
    const host = await hostWithLongLine();
    const index = await SearchIndex.open(host);
    script.regex = sourceWorkerScript('../../src/regex-worker.ts');
    try {
      for (const search of [scanSearch.bind(null, host), index.search.bind(index)]) {
        // Started before the budget counts (a worker that ran out of time is gone): starting one from
        // the sources takes a while.
        await search('a', { mode: 'regex', timeBudgetMs: Number.POSITIVE_INFINITY });
        // The match on b.txt never ends, so every page stops there at the latest. On a loaded machine
        // the budget may run out before a.txt is done too: that page stops at a.txt, and the next
        // goes on from it. Either way a.txt is found once and nothing is passed over unexamined.
        const found: string[] = [];
        let cursor: string | undefined;
        let stoppedAt: string | undefined;
        for (let page = 0; page < 10 && stoppedAt !== 'other/b.txt'; page++) {
          if (page > 0) await search('a', { mode: 'regex', timeBudgetMs: Number.POSITIVE_INFINITY });
          const result = await search('(a+)+$', { mode: 'regex', timeBudgetMs: 1000, cursor });
          expect(result.incomplete?.reason).toBe('time-budget');
          stoppedAt = result.incomplete?.stoppedAt;
          expect(['other/a.txt', 'other/b.txt']).toContain(stoppedAt);
          found.push(...result.hits.map((hit) => hit.entry.filePath));
          cursor = result.cursor;
        }
        expect({ found, stoppedAt }).toEqual({ found: ['other/a.txt'], stoppedAt: 'other/b.txt' });
        // The cursor continues at the entry where time ran out.
        await search('a', { mode: 'regex', timeBudgetMs: Number.POSITIVE_INFINITY });
        const next = await search('(a+)+$', { mode: 'regex', timeBudgetMs: 1000, cursor });
        expect(next.hits).toEqual([]);
        expect(next.incomplete?.stoppedAt).toBe('other/b.txt');
      }
      // A new worker answers the next search.
      const after = await scanSearch(host, 'a{4}', { mode: 'regex', timeBudgetMs: Number.POSITIVE_INFINITY });
      expect(after.hits.map((hit) => hit.entry.filePath)).toEqual(['other/b.txt', 'other/c.txt']);
    } finally {
      script.regex = undefined;
      await index.close();
    }
  });

  it('reject an invalid expression as a ValidationError', async () => {
    const host = new TestHost(new MapBackend());
    await expect(scanSearch(host, '(a+', { mode: 'regex' })).rejects.toThrow(ValidationError);
  });
});
