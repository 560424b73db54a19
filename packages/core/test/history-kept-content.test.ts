import { DataType, VERSIONS_BLOBS_PREFIX } from '@datalake/model';
import { describe, expect, it } from 'vitest';
import { DataLake } from '../src/lake/data-lake.js';
import { MapBackend } from './support/map-backend.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function open(backend: MapBackend): Promise<DataLake> {
  return DataLake.open(backend, { keepBackendOpen: true, onNotice: () => {}, search: 'scan' });
}

/** Counts the reads of one key made through it. */
function countingReads(backend: MapBackend, key: string): { backend: MapBackend; reads: () => number } {
  let reads = 0;
  const counting = new Proxy(backend, {
    get(target, property, receiver) {
      if (property === 'get')
        return (wanted: string, ...rest: unknown[]) => {
          if (wanted === key) reads++;
          return (target.get as (...args: unknown[]) => unknown).call(target, wanted, ...rest);
        };
      return Reflect.get(target, property, receiver);
    },
  });
  return { backend: counting, reads: () => reads };
}

describe('content an update replaces', () => {
  it('is kept from memory when this instance wrote it: the old content is not read back', async () => {
    const backend = new MapBackend();
    const counting = countingReads(backend, 'configuration/a.txt');
    const lake = await open(counting.backend);
    const entry = await lake.store({ name: 'a.txt', content: 'one', dataType: DataType.CONFIGURATION });
    for (const content of ['two', 'three', 'four']) await lake.update(entry.id, { content });
    expect(counting.reads()).toBe(0);
    for (const [version, content] of [
      [1, 'one'],
      [2, 'two'],
      [3, 'three'],
    ] as const)
      expect((await lake.retrieve(entry.id, { version })).content).toBe(content);
    await lake.close();
  });

  it('is read back when the bytes held no longer hash to it (the caller changed its buffer)', async () => {
    const backend = new MapBackend();
    const lake = await open(backend);
    const bytes = encoder.encode('original');
    const entry = await lake.store({ name: 'b.txt', content: bytes, dataType: DataType.CONFIGURATION });
    bytes.set(encoder.encode('CHANGED!'));
    const next = encoder.encode('second');
    await lake.update(entry.id, { content: next });
    next.fill(0);
    await lake.update(entry.id, { content: 'third' });
    expect(decoder.decode(await lake.readBytes(entry.id, { version: 1 }))).toBe('original');
    expect(decoder.decode(await lake.readBytes(entry.id, { version: 2 }))).toBe('second');
    const blobs = (await backend.list(VERSIONS_BLOBS_PREFIX)).objects;
    expect(blobs).toHaveLength(2);
    await lake.close();
  });

  it('is read from the lake when another instance wrote it', async () => {
    const backend = new MapBackend();
    const writer = await open(backend);
    const entry = await writer.store({
      name: 'c.txt',
      content: 'by the writer',
      dataType: DataType.CONFIGURATION,
    });
    await writer.close();
    const counting = countingReads(backend, 'configuration/c.txt');
    const other = await open(counting.backend);
    await other.update(entry.id, { content: 'by the other' });
    expect(counting.reads()).toBe(1);
    expect((await other.retrieve(entry.id, { version: 1 })).content).toBe('by the writer');
    await other.close();
  });
});
