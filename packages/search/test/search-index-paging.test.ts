import type { DataType } from '@datalake/model';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { SearchIndex, scanSearch } from '../src/index.js';
import type { SearchOptions } from '../src/types.js';
import { MapBackend } from './support/map-backend.js';
import { collectPages } from './support/pages.js';
import { TestHost } from './support/search-host.js';

/** Token `tok<k>x` is in every k-th document: from every document down to one, dense and sparse sets. */
const SPREADS = [1, 2, 3, 7, 40, 150];
const DOCUMENTS = 150;
const TYPES: DataType[] = ['schema', 'macro', 'documentation', 'other'];

/** Names in which code-unit and UTF-8 order disagree (private use vs astral) mixed with plain ones. */
function nameOf(i: number): string {
  if (i % 9 === 0) return `\ue000-${i}.txt`;
  if (i % 10 === 0) return `\u{1f600}-${i}.txt`;
  if (i % 13 === 0) return `ä-${i}.txt`;
  return `doc-${String(i).padStart(3, '0')}.txt`;
}

function contentOf(i: number): string {
  const tokens = SPREADS.filter((k) => i % k === 0).map((k) => `tok${k}x`);
  return `line ${i} ${tokens.join(' ')}\nend of ${i}\n`;
}

const FILTERS: SearchOptions[] = [{}, { dataType: 'macro' }, { subpath: 'a' }, { metadata: { even: 'yes' } }];

describe('SearchIndex paging over dense and sparse candidate sets', () => {
  let host: TestHost;
  let index: SearchIndex;

  beforeAll(async () => {
    host = new TestHost(new MapBackend());
    const store = (i: number) =>
      host.put({
        name: nameOf(i),
        dataType: TYPES[i % TYPES.length] as DataType,
        subpath: ['', 'a', 'a/b', 'c'][i % 4] as string,
        content: contentOf(i),
        metadata: { even: i % 2 === 0 ? 'yes' : 'no' },
      });
    // Three kinds of coverage: persisted segments, uncovered entries, and an unflushed buffer.
    for (let i = 0; i < 100; i++) await store(i);
    const first = await SearchIndex.open(host, { flushBytes: 2 * 1024, maxSegments: 4 });
    await first.close();
    for (let i = 100; i < 130; i++) await store(i);
    index = await SearchIndex.open(host, { catchUpOnOpen: false });
    for (let i = 130; i < DOCUMENTS; i++) {
      const { entry, bytes } = await store(i);
      await index.upsert(entry, bytes);
    }
  });

  it('pages exactly like scanSearch, through every cursor', async () => {
    const queryArb = fc.oneof(
      fc.constantFrom(...SPREADS).map((k) => ({ query: `tok${k}x`, mode: 'substring' as const })),
      fc.constantFrom('tok', 'ok1', 'x', 'end', 'ine', '.txt', '\u{1f600}', '\ue000').map((query) => ({
        query,
        mode: 'substring' as const,
      })),
      fc.constantFrom('tok(40|150)x', 'tok1x|\\d{3}', 'e.d of', '^line \\d+ tok7x').map((query) => ({
        query,
        mode: 'regex' as const,
      })),
    );
    await fc.assert(
      fc.asyncProperty(
        queryArb,
        fc.constantFrom(...FILTERS),
        fc.constantFrom(1, 4, 50),
        fc.boolean(),
        async ({ query, mode }, filter, limit, caseSensitive) => {
          const options: SearchOptions = { ...filter, mode, limit, caseSensitive };
          const scanned = await collectPages((cursor) => scanSearch(host, query, { ...options, cursor }));
          const indexed = await collectPages((cursor) => index.search(query, { ...options, cursor }));
          expect(indexed).toEqual(scanned);
        },
      ),
      { numRuns: 80 },
    );
  });

  it('stays identical while the index changes under unchanged entries', async () => {
    const expectSame = async (query: string) => {
      for (const options of [{ limit: 4 }, { limit: 50, dataType: 'other' as const }]) {
        const scanned = await collectPages((cursor) => scanSearch(host, query, { ...options, cursor }));
        const indexed = await collectPages((cursor) => index.search(query, { ...options, cursor }));
        expect(indexed).toEqual(scanned);
      }
    };
    const reindex = async (from: number, to: number) => {
      const entries = host.entriesInPathOrder().slice(from, to);
      for (const entry of entries) await index.upsert(entry, null);
    };
    await expectSame('tok1x');
    await reindex(0, 40);
    await expectSame('tok1x');
    await index.flush();
    await expectSame('tok2x');
    await reindex(20, 90);
    await expectSame('tok1x');
    await index.sync();
    await expectSame('tok3x');
  });

  it('reads only about a page of contents for a query every document matches', async () => {
    const plain = new TestHost(new MapBackend());
    for (let i = 0; i < 200; i++)
      await plain.put({
        name: `doc-${String(i).padStart(3, '0')}.txt`,
        dataType: 'other',
        content: contentOf(i),
      });
    const plainIndex = await SearchIndex.open(plain);
    plain.reads = 0;
    const result = await plainIndex.search('tok1x', { limit: 3 });
    expect(result.hits.map((hit) => hit.entry.name)).toEqual(['doc-000.txt', 'doc-001.txt', 'doc-002.txt']);
    // One batch of verification, not every candidate.
    expect(plain.reads).toBeLessThanOrEqual(32);
  });
});
