import type { Entry } from '@datalake/model';
import { collectBody } from '@datalake/model';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { SearchIndex } from '../src/index.js';
import { decodeContent } from '../src/text.js';
import type { SearchOptions } from '../src/types.js';
import { MapBackend } from './support/map-backend.js';
import { escapeRegex, expectSameAsScan } from './support/pages.js';
import { corpusSample } from './support/search-corpus.js';
import { TestHost } from './support/search-host.js';

const docs = corpusSample(12, 48 * 1024);
let texts: string[] = [];

async function loadedHost(): Promise<TestHost> {
  const host = new TestHost(new MapBackend());
  for (const doc of docs) await host.put(doc);
  return host;
}

beforeAll(() => {
  texts = docs.map((doc) => (typeof doc.content === 'string' ? doc.content : decodeContent(doc.content)));
});

const FILTERS: SearchOptions[] = [
  {},
  { dataType: 'schema' },
  { dataType: ['macro', 'documentation', 'other'] },
  { subpath: 'stdVBA' },
  { metadata: { env: 'prod' } },
  { createdAfter: '2024-03-01', createdBefore: '2024-08-01T00:00:00Z' },
];

/** A random piece of a random document: any characters, including line breaks and U+FFFD. */
const pieceArb = fc
  .record({ doc: fc.nat(), start: fc.nat(), length: fc.integer({ min: 1, max: 14 }) })
  .map(({ doc, start, length }) => {
    const text = texts[doc % texts.length] as string;
    const at = text.length === 0 ? 0 : start % text.length;
    return text.slice(at, at + length) || 'a';
  });

const optionsArb = fc.record({
  caseSensitive: fc.boolean(),
  filter: fc.constantFrom(...FILTERS),
  limit: fc.constantFrom(3, 1000),
});

function escapeClass(text: string): string {
  return text.replace(/[\\\]^[-]/g, '\\$&');
}

describe('SearchIndex answers exactly like scanSearch', () => {
  let host: TestHost;
  let index: SearchIndex;
  beforeAll(async () => {
    host = await loadedHost();
    index = await SearchIndex.open(host, { flushBytes: 256 * 1024, maxSegments: 4 });
  });

  it('for substrings drawn from the corpus', async () => {
    await fc.assert(
      fc.asyncProperty(pieceArb, optionsArb, async (piece, { caseSensitive, filter, limit }) => {
        await expectSameAsScan(index, host, piece, { ...filter, caseSensitive, limit });
      }),
      { numRuns: 150 },
    );
  });

  it('for regular expressions built from corpus pieces', async () => {
    const regexArb = fc
      .tuple(pieceArb, pieceArb, fc.constantFrom('plain', 'dot', 'alt', 'wild', 'optional', 'class'))
      .map(([a, b, shape]) => {
        const x = escapeRegex(a);
        const y = escapeRegex(b);
        if (shape === 'dot') return `${x}.${y}`;
        if (shape === 'alt') return `${x}|${y}`;
        if (shape === 'wild') return `${x}\\w*${y}`;
        if (shape === 'optional') return `(${x})?${y}+`;
        if (shape === 'class') return `[${escapeClass(b.slice(0, 2))}]${x}`;
        return x;
      });
    await fc.assert(
      fc.asyncProperty(regexArb, optionsArb, async (pattern, { caseSensitive, filter, limit }) => {
        await expectSameAsScan(index, host, pattern, { ...filter, caseSensitive, limit, mode: 'regex' });
      }),
      { numRuns: 100 },
    );
  });

  it('for word queries', async () => {
    const wordsArb = fc
      .tuple(pieceArb, pieceArb, fc.integer({ min: 1, max: 4 }))
      .map(([a, b, cut]) => `${a} ${b.slice(0, cut)}`)
      .filter((query) => /[\p{L}\p{N}_]/u.test(query));
    await fc.assert(
      fc.asyncProperty(wordsArb, optionsArb, async (query, { filter, limit }) => {
        await expectSameAsScan(index, host, query, { ...filter, limit, mode: 'words' });
      }),
      { numRuns: 60 },
    );
  });
});

describe('SearchIndex lifecycle', () => {
  it('stays identical after updates and deletes, across reopening and a second instance', async () => {
    const host = await loadedHost();
    const index = await SearchIndex.open(host, { flushBytes: 128 * 1024, maxSegments: 3 });
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            target: fc.nat(),
            action: fc.constantFrom('update', 'delete', 'add'),
            piece: pieceArb,
          }),
          { minLength: 1, maxLength: 6 },
        ),
        pieceArb,
        async (changes, query) => {
          for (const change of changes) {
            const ids = [...host.catalog.keys()];
            const id = ids[change.target % ids.length] as string;
            const entry = host.getEntry(id) as Entry;
            if (change.action === 'delete' && ids.length > 5) {
              await host.drop(id);
              await index.remove(id);
            } else {
              const target = change.action === 'add' ? undefined : id;
              const name = change.action === 'add' ? `added-${ids.length}-${change.target}.txt` : entry.name;
              const { entry: stored, bytes } = await host.put(
                {
                  name,
                  dataType: entry.dataType,
                  subpath: entry.subpath,
                  content: `new ${change.piece} text\n`,
                },
                target,
              );
              await index.upsert(stored, change.target % 2 === 0 ? bytes : null);
            }
          }
          await expectSameAsScan(index, host, query, { limit: 1000 });
          await expectSameAsScan(index, host, `${query.slice(0, 3)} ne`, { mode: 'words' });
        },
      ),
      { numRuns: 25 },
    );
    await index.close();

    host.notices.length = 0;
    const reopened = await SearchIndex.open(host);
    expect(host.notices).toEqual([]);
    expect((await reopened.check()).ok).toBe(true);
    await expectSameAsScan(reopened, host, 'text', {});

    const second = await SearchIndex.open(host);
    const { entry, bytes } = await host.put({
      name: 'fresh.md',
      dataType: 'documentation',
      content: 'zebra quokka\n',
    });
    await reopened.upsert(entry, bytes);
    await reopened.flush();
    await second.sync();
    expect(host.notices).toEqual([]);
    const hits = (await second.search('QUOKKA')).hits.map((hit) => hit.entry.id);
    expect(hits).toEqual([entry.id]);
  });

  it('keeps every document of concurrent upserts through flushes and merges', async () => {
    const host = new TestHost(new MapBackend());
    const index = await SearchIndex.open(host, { flushBytes: 16 * 1024, maxSegments: 2 });
    const stored = await Promise.all(docs.map((doc) => host.put(doc)));
    await Promise.all(stored.map(({ entry, bytes }, i) => index.upsert(entry, i % 3 === 0 ? null : bytes)));
    await index.close();
    const reopened = await SearchIndex.open(host, { catchUpOnOpen: false });
    const report = await reopened.check();
    expect(report.uncovered).toEqual([]);
    expect(report.ok).toBe(true);
    await expectSameAsScan(reopened, host, 'create', { limit: 1000 });
  });

  it('keeps every document when sync runs during flushes and merges', async () => {
    const host = new TestHost(new MapBackend());
    const index = await SearchIndex.open(host, { flushBytes: 1, maxSegments: 2 });
    const pending: Promise<void>[] = [];
    for (const doc of docs) {
      const { entry, bytes } = await host.put(doc);
      // flushBytes 1: every upsert writes a segment and, from the third on, merges.
      pending.push(index.upsert(entry, bytes), index.sync());
    }
    await Promise.all(pending);
    expect((await index.check()).uncovered).toEqual([]);
    await expectSameAsScan(index, host, 'create', { limit: 1000 });
    await expectSameAsScan(index, host, 'the', { limit: 1000 });
  });

  it('does not read content for a selective query', async () => {
    const host = await loadedHost();
    const index = await SearchIndex.open(host);
    await index.close();
    const reopened = await SearchIndex.open(host);
    host.reads = 0;
    const result = await reopened.search('ΣΊΣΥΦΟΣ');
    expect(result.hits.map((hit) => hit.entry.name)).toEqual(['greek.md']);
    expect(host.reads).toBe(1);
  });

  it('rules out documents holding the query trigrams apart without reading them', async () => {
    const host = new TestHost(new MapBackend());
    const index = await SearchIndex.open(host);
    const apart = await host.put({ name: 'apart.txt', dataType: 'other', content: 'abc--bcd\n' });
    const { entry, bytes } = await host.put({ name: 'together.txt', dataType: 'other', content: 'xabcdx\n' });
    await index.upsert(apart.entry, apart.bytes);
    await index.upsert(entry, bytes);
    for (const stage of ['buffered', 'persisted']) {
      if (stage === 'persisted') await index.flush();
      host.reads = 0;
      const result = await index.search('ABCD');
      expect(result.hits.map((hit) => hit.entry.id)).toEqual([entry.id]);
      expect(host.reads).toBe(1);
    }
  });

  it('notices a missing or corrupt index, rebuilds it and stays correct', async () => {
    const host = await loadedHost();
    const backend = host.backend as MapBackend;
    const first = await SearchIndex.open(host);
    expect(host.notices.some((notice) => notice.includes(`missing ${docs.length} entries`))).toBe(true);
    await first.close();
    const segmentKeys = await indexKeys(backend);
    expect(segmentKeys.length).toBeGreaterThan(0);
    for (const key of segmentKeys)
      await corrupt(backend, key, (bytes) => bytes.map((byte, i) => (i === 30 ? byte ^ 0xff : byte)));
    host.notices.length = 0;
    const second = await SearchIndex.open(host, { catchUpOnOpen: false });
    expect(host.notices.join('\n')).toMatch(/corrupt/);
    await expectSameAsScan(second, host, 'create table', {});
    expect((await second.check()).uncovered.length).toBe(docs.length);
    const report = await second.rebuild();
    expect(report.documents).toBe(docs.length);
    expect((await second.check()).ok).toBe(true);
  });

  it('detects corrupt postings in check', async () => {
    const host = await loadedHost();
    const backend = host.backend as MapBackend;
    const index = await SearchIndex.open(host);
    await index.close();
    const [key] = await indexKeys(backend);
    await corrupt(backend, key as string, (bytes) =>
      bytes.map((byte, i) => (i === bytes.length - 1 ? byte ^ 0x01 : byte)),
    );
    const report = await index.check();
    expect(report.corruptSegments).toEqual([key]);
    expect(report.ok).toBe(false);
  });
});

async function indexKeys(backend: MapBackend): Promise<string[]> {
  return (await backend.list('.index/', { limit: 1000 })).objects.map((object) => object.key);
}

/** Rewrites a stored object's bytes behind the index's back. */
async function corrupt(backend: MapBackend, key: string, change: (bytes: Uint8Array) => Uint8Array) {
  const object = await backend.get(key);
  if (!object) throw new Error(`missing ${key}`);
  await backend.put(key, change(await collectBody(object.body)));
}
