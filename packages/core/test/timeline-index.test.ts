import type { Entry, StorageBackend } from '@datalake/model';
import { collectBody, DataType } from '@datalake/model';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DataLake } from '../src/lake/data-lake.js';
import { LEGACY_TIMELINE_KEY, TIMELINE_KEY } from '../src/lake/history/keys.js';
import { spanVersionAt, TimelineFileWriter } from '../src/lake/history/timeline-file.js';
import { TimelineTable } from '../src/lake/history/timeline-table.js';
import type { EntryVersion } from '../src/lake/history/types.js';
import { MapBackend } from './support/map-backend.js';

const encoder = new TextEncoder();
const pause = () => new Promise((resolve) => setTimeout(resolve, 5));

function open(backend: StorageBackend): Promise<DataLake> {
  return DataLake.open(backend, { keepBackendOpen: true, onNotice: () => {}, search: 'scan' });
}

/** Counts the reads of entry records (`.metadata/<id>.json`) made through it. */
function countingRecordReads(backend: StorageBackend): { backend: StorageBackend; reads: () => number } {
  let reads = 0;
  const counting = new Proxy(backend, {
    get(target, property, receiver) {
      if (property === 'get')
        return (key: string, ...rest: unknown[]) => {
          if (key.startsWith('.metadata/') && key.endsWith('.json') && !key.includes('snapshot')) reads++;
          return (target.get as (...args: unknown[]) => unknown).call(target, key, ...rest);
        };
      return Reflect.get(target, property, receiver);
    },
  });
  return { backend: counting, reads: () => reads };
}

/** A lake with four entries at `asOf`; since then two changed, one was deleted, one was stored. */
async function changedLake(backend: StorageBackend) {
  const lake = await open(backend);
  const store = (name: string) =>
    lake.store({ name, content: `${name} v1`, dataType: DataType.CONFIGURATION, metadata: { v: 1 } });
  const [a, b, c, d] = [
    await store('a.txt'),
    await store('b.txt'),
    await store('c.txt'),
    await store('d.txt'),
  ];
  await lake.update(b.id, { content: 'b v2' });
  await pause();
  const asOf = new Date();
  await pause();
  await lake.update(a.id, { metadata: { v: 2 } });
  await lake.update(b.id, { content: 'b v3', metadata: { v: 3 } });
  await lake.update(b.id, { metadata: { v: 4 } });
  await lake.delete(c.id);
  await store('e.txt');
  const expected = await lake.list({ asOf });
  await lake.close();
  return { asOf, expected, ids: { a: a.id, b: b.id, c: c.id, d: d.id } };
}

function summary(entries: readonly Entry[]) {
  return entries.map((entry) => [
    entry.filePath,
    entry.sha256,
    JSON.stringify(entry.metadata),
    entry.updatedAt,
  ]);
}

describe('list({ asOf }) from the timeline index', () => {
  it('answers as the lake was, and a freshly opened lake reads no entry record to do so', async () => {
    const backend = new MapBackend();
    const { asOf, expected, ids } = await changedLake(backend);
    expect(summary(expected).map((row) => row[0])).toEqual([
      'configuration/a.txt',
      'configuration/b.txt',
      'configuration/c.txt',
      'configuration/d.txt',
    ]);
    const b = expected.find((entry) => entry.id === ids.b) as Entry;
    expect(b.metadata).toEqual({ v: 1 });
    expect(b.updatedAt).not.toBeNull();
    expect(await backend.head(TIMELINE_KEY)).not.toBeNull();

    const counting = countingRecordReads(backend);
    const lake = await open(counting.backend);
    const before = counting.reads();
    expect(summary(await lake.list({ asOf }))).toEqual(summary(expected));
    expect(counting.reads() - before).toBe(0);
    await lake.close();
  });

  it('reads the records a stale timeline file no longer describes, and answers right', async () => {
    const backend = new MapBackend();
    const { asOf, expected, ids } = await changedLake(backend);
    const stale = await collectBody((await backend.get(TIMELINE_KEY))?.body ?? new Uint8Array());
    const writer = await open(backend);
    await writer.update(ids.a, { metadata: { v: 5 } });
    await writer.update(ids.d, { content: 'd v2' });
    await writer.close();
    await backend.put(TIMELINE_KEY, stale);

    const counting = countingRecordReads(backend);
    const lake = await open(counting.backend);
    const before = counting.reads();
    expect(summary(await lake.list({ asOf }))).toEqual(summary(expected));
    expect(counting.reads() - before).toBeGreaterThanOrEqual(2);
    await lake.close();
  });

  it('a damaged or foreign timeline file costs reads, never a wrong answer', async () => {
    for (const damage of ['not json', '{"format":1,"live":[["x","y",{}]],"deleted":7}', '[]']) {
      const backend = new MapBackend();
      const { asOf, expected } = await changedLake(backend);
      await backend.put(TIMELINE_KEY, encoder.encode(damage));
      const lake = await open(backend);
      expect(summary(await lake.list({ asOf }))).toEqual(summary(expected));
      await lake.close();
    }
  });

  it('a timeline file whose histories were tampered with but whose etags are stale is ignored', async () => {
    const backend = new MapBackend();
    const { asOf, expected, ids } = await changedLake(backend);
    const file = await collectBody((await backend.get(TIMELINE_KEY))?.body ?? new Uint8Array());
    const table = TimelineTable.read(file);
    expect(table?.liveCount).toBeGreaterThan(0);
    // Every list rewritten with forged metadata, under an etag no record has.
    const forged = new TimelineFileWriter();
    for (let index = 0; table && index < table.liveCount; index++) {
      if (!table.isFirstOfId(index)) continue;
      const id = table.id(index);
      const span = {
        etag: table.etag(index),
        start: table.start(index),
        end: table.end(index),
        table: table.afterNames(index),
      };
      const versions: EntryVersion[] = [];
      for (const time of [0, Date.now() + 1e9]) {
        const version = spanVersionAt(file, span, time);
        if (version) versions.push({ ...version, metadata: { forged: true } });
      }
      forged.addLive(id, 'not-the-etag', { versions, pages: [] });
    }
    await backend.put(TIMELINE_KEY, forged.bytes());
    const lake = await open(backend);
    expect(summary(await lake.list({ asOf }))).toEqual(summary(expected));
    expect(ids.b).toBeDefined();
    await lake.close();
  });

  it('any one damaged byte of the timeline file costs reads, never a wrong answer', async () => {
    const backend = new MapBackend();
    const { asOf, expected } = await changedLake(backend);
    const file = await collectBody((await backend.get(TIMELINE_KEY))?.body ?? new Uint8Array());
    await fc.assert(
      fc.asyncProperty(
        fc.nat({ max: file.byteLength - 1 }),
        fc.integer({ min: 1, max: 255 }),
        async (at, flip) => {
          const damaged = new Uint8Array(file);
          damaged[at] = (damaged[at] as number) ^ flip;
          const copy = new MapBackend();
          for (const key of await keysOf(backend)) {
            const object = await backend.get(key);
            if (object) await copy.put(key, await collectBody(object.body));
          }
          await copy.put(TIMELINE_KEY, damaged);
          const lake = await open(copy);
          expect(summary(await lake.list({ asOf }))).toEqual(summary(expected));
          await lake.close();
        },
      ),
      { numRuns: 60 },
    );
  });

  it('a lake with the timeline of an earlier release answers right and drops that file', async () => {
    const backend = new MapBackend();
    const { asOf, expected, ids } = await changedLake(backend);
    await backend.delete(TIMELINE_KEY);
    await backend.put(LEGACY_TIMELINE_KEY, encoder.encode('{"format":1,"live":[],"deleted":[]}'));
    const lake = await open(backend);
    expect(summary(await lake.list({ asOf }))).toEqual(summary(expected));
    await lake.update(ids.d, { metadata: { v: 9 } });
    await lake.close();
    expect(await backend.head(LEGACY_TIMELINE_KEY)).toBeNull();
    expect(await backend.head(TIMELINE_KEY)).not.toBeNull();
  });
});

async function keysOf(backend: StorageBackend): Promise<string[]> {
  const keys: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await backend.list('', { cursor, limit: 1000 });
    for (const object of page.objects) keys.push(object.key);
    cursor = page.cursor;
  } while (cursor);
  return keys;
}
