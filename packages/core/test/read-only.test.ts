import { spawnSync } from 'node:child_process';
import { hostname } from 'node:os';
import type {
  BodyInput,
  DeleteOptions,
  Entry,
  GetOptions,
  GetResult,
  ListOptions,
  ListPage,
  ObjectInfo,
  PutOptions,
  PutResult,
  StorageBackend,
} from '@datalake/model';
import { DataType, ReadOnlyError } from '@datalake/model';
import { SearchIndex, scanSearch } from '@datalake/search';
import { describe, expect, it } from 'vitest';
import { corpusSample } from '../../search/test/support/search-corpus.js';
import { TestHost } from '../../search/test/support/search-host.js';
import { DataLake } from '../src/lake/data-lake.js';
import { metadataKey } from '../src/lake/paths.js';
import { MapBackend } from './support/map-backend.js';

const encoder = new TextEncoder();

/** Storage that, once `readOnly` is set, refuses every write the way a read-only mount does. */
class ReadOnlySwitch implements StorageBackend {
  readonly description = 'read-only switch';
  readonly capabilities: StorageBackend['capabilities'];
  readOnly = false;
  refusedWrites = 0;

  constructor(readonly inner: MapBackend = new MapBackend()) {
    this.capabilities = inner.capabilities;
  }

  private refuse(key: string): void {
    if (!this.readOnly) return;
    this.refusedWrites++;
    throw new ReadOnlyError(`cannot write key ${JSON.stringify(key)}: read-only file system`);
  }

  async put(key: string, body: BodyInput, options?: PutOptions): Promise<PutResult> {
    this.refuse(key);
    return this.inner.put(key, body, options);
  }
  async delete(key: string, options?: DeleteOptions): Promise<boolean> {
    this.refuse(key);
    return this.inner.delete(key, options);
  }
  get(key: string, options?: GetOptions): Promise<GetResult | null> {
    return this.inner.get(key, options);
  }
  head(key: string): Promise<ObjectInfo | null> {
    return this.inner.head(key);
  }
  list(prefix: string, options?: ListOptions): Promise<ListPage> {
    return this.inner.list(prefix, options);
  }
}

/** Every key of a backend with its etag: what must not change while it is read-only. */
async function stateOf(backend: StorageBackend): Promise<Array<[string, string]>> {
  const state: Array<[string, string]> = [];
  let cursor: string | undefined;
  do {
    const page = await backend.list('', { cursor });
    for (const object of page.objects) state.push([object.key, object.etag]);
    cursor = page.cursor;
  } while (cursor !== undefined);
  return state;
}

function deadPid(): number {
  return spawnSync(process.execPath, ['-e', '0']).pid as number;
}

/** Rewrites an entry's record as a writer that died half way would have left it. */
async function abandon(backend: StorageBackend, entry: Entry, field: 'pending' | 'deleted'): Promise<void> {
  const writer = { host: hostname(), pid: deadPid(), instance: 'gone', at: new Date().toISOString() };
  const value = field === 'pending' ? { writer, metadata: { v: 2 }, updatedAt: writer.at } : writer;
  const record = { format: 1, entry, [field]: value };
  await backend.put(metadataKey(entry.id), encoder.encode(JSON.stringify(record)));
}

describe('a lake on read-only storage', () => {
  it('opens, reads and searches, and closes with one notice, writing nothing', async () => {
    const storage = new ReadOnlySwitch();
    // Entries stored without index upkeep: the index must catch up on open.
    const first = await DataLake.open(storage, { search: 'scan', onNotice: () => {} });
    const kept = await first.store({
      name: 'orders.sql',
      dataType: DataType.SCHEMA,
      content: 'CREATE TABLE orders',
    });
    const updated = await first.store({ name: 'm.bas', dataType: DataType.MACRO, content: 'Sub Main()' });
    const deleted = await first.store({ name: 'gone.txt', dataType: DataType.OTHER, content: 'gone' });
    await first.close();
    // Stored after the snapshot was written (the snapshot is stale), and two writers that died half way.
    const second = await DataLake.open(storage, {
      search: 'scan',
      onNotice: () => {},
      keepBackendOpen: true,
    });
    const late = await second.store({ name: 'app.log', dataType: DataType.LOGS, content: 'late line' });
    await abandon(storage, updated, 'pending');
    await storage.inner.put(updated.filePath, encoder.encode('Sub Replaced()'));
    await abandon(storage, deleted, 'deleted');

    storage.readOnly = true;
    const before = await stateOf(storage.inner);
    const notices: string[] = [];
    const lake = await DataLake.open(storage, { onNotice: (message) => notices.push(message) });

    expect((await lake.list()).map((entry) => entry.name).sort()).toEqual(['app.log', 'm.bas', 'orders.sql']);
    expect((await lake.getStats()).totalEntries).toBe(3);
    expect((await lake.retrieve(kept.id)).content).toBe('CREATE TABLE orders');
    expect((await lake.retrieve(updated.id)).content).toBe('Sub Replaced()');
    expect((await lake.retrieve(late.id)).content).toBe('late line');
    for (const [query, name] of [
      ['orders', 'orders.sql'],
      ['Replaced', 'm.bas'],
      ['late', 'app.log'],
    ] as const) {
      expect((await lake.search(query)).hits.map((hit) => hit.entry.name)).toEqual([name]);
    }

    await expect(
      lake.store({ name: 'new.txt', dataType: DataType.OTHER, content: 'new' }),
    ).rejects.toBeInstanceOf(ReadOnlyError);
    await expect(lake.update(kept.id, { metadata: { a: 1 } })).rejects.toBeInstanceOf(ReadOnlyError);
    await expect(lake.delete(kept.id)).rejects.toBeInstanceOf(ReadOnlyError);
    await lake.close();

    expect(storage.refusedWrites).toBeGreaterThan(0);
    expect(await stateOf(storage.inner)).toEqual(before);
    const readOnlyNotices = notices.filter((message) => message.includes('cannot be written'));
    expect(readOnlyNotices).toHaveLength(1);
    expect(notices.join('\n')).not.toContain('finished an interrupted');
  });
});

describe('a search index on read-only storage', () => {
  const docs = corpusSample(12, 48 * 1024);

  for (const told of ['through notice', 'through readOnly'] as const) {
    it(`keeps the segments it cannot write in memory, searchable, and says so once (${told})`, async () => {
      const storage = new ReadOnlySwitch();
      const host = new TestHost(storage);
      for (const doc of docs) await host.put(doc);
      storage.readOnly = true;
      const refusals: ReadOnlyError[] = [];
      const reporting =
        told === 'through notice'
          ? host
          : Object.assign(host, { readOnly: (error: ReadOnlyError) => refusals.push(error) });

      // Small buffers: catching up on open writes (tries to write) several segments.
      const index = await SearchIndex.open(reporting, { flushBytes: 16 * 1024 });
      for (const query of ['Sub ', 'SELECT', 'function', 'zzz-not-there']) {
        const indexed = await index.search(query, { limit: 1000 });
        const scanned = await scanSearch(host, query, { limit: 1000 });
        expect(indexed.hits.map((hit) => hit.entry.id)).toEqual(scanned.hits.map((hit) => hit.entry.id));
      }
      storage.readOnly = false;
      const added = await host.put({
        name: 'added.txt',
        dataType: DataType.OTHER,
        content: 'a fresh needle',
      });
      storage.readOnly = true;
      await index.upsert(added.entry, added.bytes);
      await index.flush();
      expect((await index.search('fresh needle')).hits.map((hit) => hit.entry.id)).toEqual([added.entry.id]);
      await index.close();

      // One refusal reported, whichever way it is told; no segment written.
      const reports =
        told === 'through notice' ? host.notices.filter((m) => m.includes('cannot be written')) : refusals;
      expect(reports).toHaveLength(1);
      // Tried once: once the lake is known to be read-only, later segments stay in memory untried.
      expect(storage.refusedWrites).toBe(1);
      expect((await stateOf(storage.inner)).filter(([key]) => key.startsWith('.index/'))).toEqual([]);
    });
  }
});
