import { spawnSync } from 'node:child_process';
import { hostname } from 'node:os';
import type { Entry, StorageBackend } from '@datalake/model';
import {
  ClosedError,
  ConflictError,
  CorruptDataError,
  collectBody,
  DataType,
  NotFoundError,
} from '@datalake/model';
import { describe, expect, it } from 'vitest';
import { DataLake } from '../src/lake/data-lake.js';
import { claimKey, metadataKey, SNAPSHOT_KEY } from '../src/lake/paths.js';
import { MapBackend } from './support/map-backend.js';

const encoder = new TextEncoder();

function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', '0']);
  return child.pid as number;
}

async function readJson(backend: StorageBackend, key: string): Promise<Record<string, unknown>> {
  const object = await backend.get(key);
  if (!object) throw new Error(`missing ${key}`);
  return JSON.parse(Buffer.from(await collectBody(object.body)).toString('utf8'));
}

async function open(backend: StorageBackend, notices: string[] = []): Promise<DataLake> {
  return DataLake.open(backend, { keepBackendOpen: true, onNotice: (message) => notices.push(message) });
}

/** Stores an entry, then leaves its record as a writer that is now gone would: with `field` set. */
async function abandonedRecord(
  backend: MapBackend,
  field: 'pending' | 'deleted',
  pid = deadPid(),
): Promise<{ entry: Entry; writer: Record<string, unknown> }> {
  const entry = await (await open(backend)).store({
    name: 'a.sql',
    content: 'old',
    dataType: DataType.SCHEMA,
    metadata: { v: 1 },
  });
  const record = await readJson(backend, metadataKey(entry.id));
  const writer = { host: hostname(), pid, instance: 'gone', at: new Date().toISOString() };
  const value = field === 'pending' ? { writer, metadata: { v: 2 }, updatedAt: writer.at } : writer;
  await backend.put(metadataKey(entry.id), encoder.encode(JSON.stringify({ ...record, [field]: value })));
  return { entry, writer };
}

describe('DataLake recovery', () => {
  it('finishes an update whose writer died after replacing the content', async () => {
    const backend = new MapBackend();
    const { entry, writer } = await abandonedRecord(backend, 'pending');
    await backend.put(entry.filePath, encoder.encode('new content'));

    const notices: string[] = [];
    const reopened = await open(backend, notices);
    const recovered = await reopened.retrieve(entry.id);
    expect(recovered.content).toBe('new content');
    expect(recovered.metadata).toEqual({ v: 2 });
    expect(recovered.updatedAt).toBe(writer.at);
    expect(notices.join('\n')).toContain('interrupted update');
    expect((await readJson(backend, metadataKey(entry.id))).pending).toBeUndefined();
  });

  it('rolls back an update whose writer died before replacing the content', async () => {
    const backend = new MapBackend();
    const { entry } = await abandonedRecord(backend, 'pending');
    const reopened = await open(backend);
    const recovered = await reopened.retrieve(entry.id);
    expect(recovered.content).toBe('old');
    expect(recovered.metadata).toEqual({ v: 1 });
    expect(recovered.updatedAt).toBeNull();
  });

  it('waits for a live writer of a pending update instead of breaking it', async () => {
    const backend = new MapBackend();
    const { entry } = await abandonedRecord(backend, 'pending', process.pid);
    const lake = await open(backend);
    await expect(lake.update(entry.id, { metadata: { x: 1 } })).rejects.toBeInstanceOf(ConflictError);
  });

  it('finishes a delete whose writer died after committing it', async () => {
    const backend = new MapBackend();
    const { entry } = await abandonedRecord(backend, 'deleted');

    const notices: string[] = [];
    const reopened = await open(backend, notices);
    expect(await reopened.list()).toEqual([]);
    await expect(reopened.retrieve(entry.id)).rejects.toBeInstanceOf(NotFoundError);
    expect(notices.join('\n')).toContain('interrupted delete');
    expect(await backend.head(entry.filePath)).toBeNull();
    expect(await backend.head(metadataKey(entry.id))).toBeNull();
    await reopened.store({ name: 'a.sql', content: 'again', dataType: DataType.SCHEMA });
  });

  it('takes over the claim of a store whose writer died, but not of a live one', async () => {
    const backend = new MapBackend();
    const notices: string[] = [];
    const lake = await open(backend, notices);
    const filePath = 'logs/app.log';
    const claim = (pid: number) =>
      encoder.encode(
        JSON.stringify({
          format: 1,
          id: 'never-committed',
          filePath,
          writer: { host: hostname(), pid, instance: 'x', at: new Date().toISOString() },
        }),
      );
    await backend.put(claimKey(filePath), claim(process.pid));
    await expect(lake.store({ name: 'app.log', content: 'x', dataType: DataType.LOGS })).rejects.toThrow(
      /being stored/,
    );
    await backend.put(claimKey(filePath), claim(deadPid()));
    const entry = await lake.store({ name: 'app.log', content: 'x', dataType: DataType.LOGS });
    expect(entry.filePath).toBe(filePath);
    expect(notices.join('\n')).toContain('abandoned claim');
  });
});

describe('DataLake reads', () => {
  it('finds entries another instance stored, by id and by path, before any refresh', async () => {
    const backend = new MapBackend();
    const first = await open(backend);
    const second = await open(backend);
    const entry = await second.store({
      name: 'x.md',
      content: '# x',
      dataType: DataType.DOCUMENTATION,
      subpath: 'docs',
    });
    expect((await first.retrieve(entry.id)).content).toBe('# x');
    const third = await open(backend);
    const other = await second.store({ name: 'y.md', content: '# y', dataType: DataType.DOCUMENTATION });
    expect((await third.retrieveByPath('documentation/y.md')).id).toBe(other.id);
    await expect(third.retrieveByPath('documentation/z.md')).rejects.toBeInstanceOf(NotFoundError);
    expect((await third.getEntryByPath('documentation/docs/x.md')).id).toBe(entry.id);
    expect(await first.getEntry(other.id)).toEqual(other);
    await expect(first.getEntry('nope')).rejects.toBeInstanceOf(NotFoundError);
  });

  it('reports content that no longer matches its hash as corrupt', async () => {
    const backend = new MapBackend();
    const lake = await open(backend);
    const entry = await lake.store({ name: 'a.cfg', content: 'a=1', dataType: DataType.CONFIGURATION });
    await backend.put(entry.filePath, encoder.encode('a=2'));
    await expect(lake.retrieve(entry.id)).rejects.toBeInstanceOf(CorruptDataError);
  });

  it('streams content in and out without changing a byte', async () => {
    const lake = await open(new MapBackend());
    const chunks = [new Uint8Array([0xff, 0x00]), new Uint8Array([0xc3]), new Uint8Array(70_000).fill(7)];
    const entry = await lake.store({
      name: 'blob.bin',
      dataType: DataType.OTHER,
      content: (async function* () {
        yield* chunks;
      })(),
    });
    expect(entry.size).toBe(70_003);
    const { stream } = await lake.readStream(entry.id);
    expect(Buffer.compare(Buffer.from(await collectBody(stream)), Buffer.concat(chunks))).toBe(0);
  });

  it('refuses an entry where a folder of entries is, and the reverse', async () => {
    const lake = await open(new MapBackend());
    await lake.store({ name: 'x.vba', content: 'x', dataType: DataType.MACRO, subpath: 'finance' });
    await expect(
      lake.store({ name: 'finance', content: 'x', dataType: DataType.MACRO }),
    ).rejects.toBeInstanceOf(ConflictError);
    await lake.store({ name: 'report', content: 'x', dataType: DataType.MACRO });
    await expect(
      lake.store({ name: 'y.vba', content: 'x', dataType: DataType.MACRO, subpath: 'report' }),
    ).rejects.toBeInstanceOf(ConflictError);
  });

  it('is unusable once closed', async () => {
    const lake = await open(new MapBackend());
    await lake.close();
    await expect(lake.list()).rejects.toBeInstanceOf(ClosedError);
  });
});

describe('DataLake open', () => {
  it('reads the catalog snapshot instead of every metadata object', async () => {
    const backend = new MapBackend();
    const lake = await DataLake.open(backend, { keepBackendOpen: true, search: 'scan' });
    for (let i = 0; i < 40; i++)
      await lake.store({ name: `f${i}.log`, content: `line ${i}`, dataType: DataType.LOGS });
    await lake.close();
    expect(await backend.head(SNAPSHOT_KEY)).not.toBeNull();

    const reads: string[] = [];
    const counting: StorageBackend = Object.create(backend, {
      get: {
        value: (key: string, options?: object) => {
          reads.push(key);
          return backend.get(key, options);
        },
      },
    });
    const reopened = await DataLake.open(counting, { keepBackendOpen: true, search: 'scan' });
    expect((await reopened.getStats()).totalEntries).toBe(40);
    expect(reads.filter((key) => key.startsWith('.metadata/'))).toEqual([]);

    const writer = await DataLake.open(backend, { keepBackendOpen: true, search: 'scan' });
    const [first] = await writer.list();
    await writer.update(first?.id as string, { metadata: { seen: true } });
    reads.length = 0;
    await reopened.refresh();
    expect(reads.filter((key) => key.startsWith('.metadata/'))).toEqual([metadataKey(first?.id as string)]);
    expect((await reopened.getStats()).updatedEntries).toBe(1);
  });

  it('applies concurrent metadata updates from two instances without losing one', async () => {
    const backend = new MapBackend();
    const a = await open(backend);
    const b = await open(backend);
    const entry = await a.store({ name: 'c.yml', content: 'k: v', dataType: DataType.CONFIGURATION });
    await Promise.all(
      Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).update(entry.id, { metadata: { [`k${i}`]: i } })),
    );
    await a.refresh();
    const final = await a.retrieve(entry.id);
    expect(Object.keys(final.metadata).sort()).toEqual(Array.from({ length: 10 }, (_, i) => `k${i}`).sort());
  });
});

describe('DataLake search after changes', () => {
  async function lakeWithNeedles() {
    const lake = await DataLake.open(new MapBackend(), { onNotice: () => {} });
    const store = (name: string, env: string) =>
      lake.store({
        name,
        dataType: DataType.SCHEMA,
        content: 'CREATE TABLE needle (id INT);\n',
        metadata: { env },
      });
    const entries = [await store('a.sql', 'prod'), await store('b.sql', 'dev'), await store('c.sql', 'dev')];
    // Enough other entries that the index orders its few candidates instead of walking every entry.
    for (let i = 0; i < 64; i++)
      await lake.store({
        name: `filler-${i}.md`,
        dataType: DataType.DOCUMENTATION,
        content: `haystack ${i}\n`,
      });
    const names = async (options = {}) =>
      (await lake.search('needle', options)).hits.map((hit) => hit.entry.name);
    return { lake, entries, names };
  }

  it('forgets deleted entries and never repeats an updated one in a repeated query', async () => {
    const { lake, entries, names } = await lakeWithNeedles();
    const [a, b] = entries as [Entry, Entry];
    expect(await names()).toEqual(['a.sql', 'b.sql', 'c.sql']);
    await lake.delete(b.id);
    expect(await names()).toEqual(['a.sql', 'c.sql']);
    await lake.update(a.id, { metadata: { note: 'x' } });
    expect(await names()).toEqual(['a.sql', 'c.sql']);
    expect((await lake.search('needle')).hits[0]?.entry.metadata).toEqual({ env: 'prod', note: 'x' });
    await lake.close();
  });

  it('filters on current metadata and content after updates', async () => {
    const { lake, entries, names } = await lakeWithNeedles();
    const [a, b] = entries as [Entry, Entry];
    const prod = { metadata: { env: 'prod' } };
    expect(await names(prod)).toEqual(['a.sql']);
    await lake.update(b.id, { metadata: { env: 'prod' } });
    expect(await names(prod)).toEqual(['a.sql', 'b.sql']);
    await lake.update(a.id, { metadata: { env: 'dev' } });
    expect(await names(prod)).toEqual(['b.sql']);
    await lake.update(b.id, { content: 'CREATE TABLE other (id INT);\n' });
    expect(await names(prod)).toEqual([]);
    expect(await names()).toEqual(['a.sql', 'c.sql']);
    await lake.close();
  });
});
