import type { Entry } from '@datalake/model';
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { TextFolder } from '../src/document.js';
import { SearchIndex, scanSearch } from '../src/index.js';
import { SegmentBuilder } from '../src/segment-builder.js';
import { TrigramCollector } from '../src/trigrams.js';
import type { SearchOptions } from '../src/types.js';
import { WorkerSegmentBuilder } from '../src/worker-builder.js';
import type { WorkerScript } from '../src/worker-script.js';
import { MapBackend } from './support/map-backend.js';
import { corpusSample } from './support/search-corpus.js';
import { TestHost } from './support/search-host.js';
import { sourceWorkerScript } from './support/source-worker.js';

// Which script the index starts: the worker from its sources, or one that crashes.
const script: { current: WorkerScript | undefined } = { current: undefined };
vi.mock('../src/worker-script.js', () => ({ indexWorkerScript: () => script.current }));

const docs = corpusSample(24, 48 * 1024);

afterEach(() => {
  script.current = undefined;
});

async function collectPages(host: TestHost, index: SearchIndex, query: string, options: SearchOptions) {
  const scanned = [];
  const indexed = [];
  let scanCursor: string | undefined;
  let indexCursor: string | undefined;
  for (let page = 0; page < 50; page++) {
    const fromScan = await scanSearch(host, query, { ...options, cursor: scanCursor });
    const fromIndex = await index.search(query, { ...options, cursor: indexCursor });
    scanned.push(fromScan);
    indexed.push(fromIndex);
    scanCursor = fromScan.cursor;
    indexCursor = fromIndex.cursor;
    if (!scanCursor || !indexCursor) break;
  }
  return { scanned, indexed };
}

async function expectSame(host: TestHost, index: SearchIndex, query: string, options: SearchOptions = {}) {
  const { scanned, indexed } = await collectPages(host, index, query, { limit: 1000, ...options });
  expect(indexed).toEqual(scanned);
}

describe('WorkerSegmentBuilder', () => {
  it('encodes the same segment bytes as building on this thread, one segment per take', async () => {
    const builder = WorkerSegmentBuilder.start(sourceWorkerScript()) as WorkerSegmentBuilder;
    const host = new TestHost(new MapBackend());
    const stored: Array<{ entry: Entry; bytes: Uint8Array }> = [];
    for (const doc of docs) stored.push(await host.put(doc));
    const half = Math.ceil(stored.length / 2);
    const inline = (part: typeof stored) => {
      const local = new SegmentBuilder();
      const folder = new TextFolder();
      const collector = new TrigramCollector();
      for (const { entry, bytes } of part) local.add(entry, folder.fold(entry, bytes), collector);
      return local.encode();
    };
    try {
      for (const { entry, bytes } of stored.slice(0, half)) builder.add(entry, bytes, 'indexed');
      expect(builder.pendingDocs).toBe(half);
      const first = await builder.take();
      expect(builder.pendingDocs).toBe(0);
      for (const { entry, bytes } of stored.slice(half)) builder.add(entry, bytes, 'indexed');
      const second = await builder.take();
      expect(Buffer.from(first).equals(Buffer.from(inline(stored.slice(0, half))))).toBe(true);
      expect(Buffer.from(second).equals(Buffer.from(inline(stored.slice(half))))).toBe(true);
      // The caller's content is copied, not moved to the worker.
      expect(stored.every(({ bytes, entry }) => bytes.byteLength === entry.size)).toBe(true);
    } finally {
      await builder.close();
    }
  });

  it('rejects every take once the worker has died, and after close', async () => {
    const builder = WorkerSegmentBuilder.start(
      sourceWorkerScript('./failing-worker.ts'),
    ) as WorkerSegmentBuilder;
    const host = new TestHost(new MapBackend());
    const { entry, bytes } = await host.put({ name: 'a.sql', dataType: 'schema', content: 'select 1;\n' });
    builder.add(entry, bytes, 'indexed');
    await expect(builder.take()).rejects.toThrow(/analysis crashed/);
    expect(builder.failed).toBe(true);
    await expect(builder.take()).rejects.toThrow(/analysis crashed/);
    await builder.close();
  });

  it('is not started without a script (the sources run without a build)', () => {
    expect(WorkerSegmentBuilder.start(undefined)).toBeUndefined();
  });
});

describe('SearchIndex with a worker', () => {
  it('searches pending entries by scanning, then covers them once their segment is written', async () => {
    script.current = sourceWorkerScript();
    const host = new TestHost(new MapBackend());
    const index = await SearchIndex.open(host, { worker: true });
    for (const doc of docs) {
      const { entry, bytes } = await host.put(doc);
      await index.upsert(entry, bytes);
    }
    const pending = await index.check();
    expect(pending.uncovered.length).toBe(docs.length);
    await expectSame(host, index, 'create');
    await expectSame(host, index, 'TABLE', { caseSensitive: true });
    await expectSame(host, index, 'select from', { mode: 'words' });

    host.reads = 0;
    await index.search('qqxzzy');
    expect(host.reads).toBe(docs.length); // pending: every entry is read

    await index.flush();
    const flushed = await index.check();
    expect(flushed.ok).toBe(true);
    expect(flushed.segments).toBe(1);
    host.reads = 0;
    await index.search('qqxzzy');
    expect(host.reads).toBe(0); // covered: the index rules every entry out
    await expectSame(host, index, 'create');
    await expectSame(host, index, 'select from', { mode: 'words' });
    await index.close();

    const reopened = await SearchIndex.open(host);
    expect(host.notices).toEqual([]);
    expect((await reopened.check()).ok).toBe(true);
    await reopened.close();
  });

  it('stays identical to a scan through updates, deletes and flushes while documents are pending', async () => {
    script.current = sourceWorkerScript();
    const host = new TestHost(new MapBackend());
    const index = await SearchIndex.open(host, { worker: true, flushBytes: 64 * 1024, maxSegments: 2 });
    for (const doc of docs) {
      const { entry, bytes } = await host.put(doc);
      await index.upsert(entry, bytes);
    }
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            target: fc.nat(),
            action: fc.constantFrom('update', 'delete', 'add', 'flush'),
            word: fc.constantFrom('zebra', 'quokka', 'create', 'Select'),
          }),
          { minLength: 1, maxLength: 6 },
        ),
        fc.constantFrom('zebra', 'quokka', 'create table', 'select'),
        async (changes, query) => {
          for (const change of changes) {
            const ids = [...host.catalog.keys()];
            const id = ids[change.target % ids.length] as string;
            const entry = host.getEntry(id) as Entry;
            if (change.action === 'flush') await index.flush();
            else if (change.action === 'delete' && ids.length > 5) {
              await host.drop(id);
              await index.remove(id);
            } else {
              const adding = change.action === 'add';
              const { entry: stored, bytes } = await host.put(
                {
                  name: adding ? `added-${ids.length}-${change.target}.txt` : entry.name,
                  dataType: entry.dataType,
                  subpath: entry.subpath,
                  content: `${change.word} ${change.target}\n`,
                },
                adding ? undefined : id,
              );
              await index.upsert(stored, bytes);
            }
          }
          await expectSame(host, index, query);
          await expectSame(host, index, query, { mode: 'words' });
        },
      ),
      { numRuns: 25 },
    );
    await index.close();
    const reopened = await SearchIndex.open(host, { catchUpOnOpen: false });
    expect((await reopened.check()).ok).toBe(true);
    await expectSame(host, reopened, 'zebra');
    await reopened.close();
  });

  it('when the worker dies: records the document it died on as failed, never analyses it again on open, and still finds it', async () => {
    script.current = sourceWorkerScript('./failing-worker.ts');
    const host = new TestHost(new MapBackend());
    const index = await SearchIndex.open(host, { worker: true });
    const lost = await host.put({ name: 'lost.sql', dataType: 'schema', content: 'create table lost;\n' });
    await index.upsert(lost.entry, lost.bytes);
    await index.flush();
    expect(host.notices.join('\n')).toMatch(/search index worker failed \(analysis crashed\)/);
    expect(host.notices.join('\n')).toMatch(/analysing schema\/lost.sql .* failed/);
    const later = await host.put({ name: 'later.sql', dataType: 'schema', content: 'create table later;\n' });
    await index.upsert(later.entry, later.bytes);
    await expectSame(host, index, 'create table');
    await expectSame(host, index, 'lost', { mode: 'words' });
    await index.close();
    const checked = await index.check();
    expect(checked.ok).toBe(true);
    expect(checked.notIndexed).toEqual([
      {
        id: lost.entry.id,
        filePath: 'schema/lost.sql',
        size: lost.entry.size,
        reason: 'failed',
        detail: expect.stringMatching(/index worker failed on it: analysis crashed/),
      },
    ]);

    host.notices.length = 0;
    host.reads = 0;
    const reopened = await SearchIndex.open(host);
    expect(host.notices).toEqual([]);
    expect(host.reads).toBe(0); // nothing analysed again
    expect((await reopened.check()).ok).toBe(true);
    // A failed document is searched by reading its content: the answer is still the scan's.
    expect((await reopened.search('table lost')).hits.map((hit) => hit.entry.id)).toEqual([lost.entry.id]);
    await expectSame(host, reopened, 'create table');
    await reopened.close();
  });

  it('when the worker dies with several documents: only the one it died on is failed, the rest are indexed here', async () => {
    script.current = sourceWorkerScript('./poison-worker.ts');
    const host = new TestHost(new MapBackend());
    const index = await SearchIndex.open(host, { worker: true });
    const stored = [];
    for (const [name, content] of [
      ['a.sql', 'create table a;\n'],
      ['b.sql', 'create table b; -- POISON\n'],
      ['c.sql', 'create table c;\n'],
    ] as const) {
      const doc = await host.put({ name, dataType: 'schema', content });
      await index.upsert(doc.entry, doc.bytes);
      stored.push(doc);
    }
    await index.flush();
    const checked = await index.check();
    expect(checked.ok).toBe(true);
    expect(checked.notIndexed.map((item) => [item.filePath, item.reason])).toEqual([
      ['schema/b.sql', 'failed'],
    ]);
    expect(checked.notIndexed[0]?.detail).toMatch(/exit code 134/);
    await expectSame(host, index, 'create table');
    await expectSame(host, index, 'poison');
    await index.close();
  });

  it('runs on this thread when no worker script is available', async () => {
    const host = new TestHost(new MapBackend());
    const index = await SearchIndex.open(host, { worker: true });
    const { entry, bytes } = await host.put({ name: 'a.md', dataType: 'documentation', content: 'zebra\n' });
    await index.upsert(entry, bytes);
    expect((await index.check()).ok).toBe(true);
    await index.close();
  });
});
