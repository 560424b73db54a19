import { BytesBody, bodyChunks, collectBody } from '@datalake/model';
import { describe, expect, it } from 'vitest';
import { StorageFront } from '../src/index.js';

async function chunksOf(body: Parameters<typeof bodyChunks>[0]): Promise<Uint8Array[]> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of bodyChunks(body)) chunks.push(chunk);
  return chunks;
}

describe('bodyChunks', () => {
  it('gives a buffer as one chunk, and an empty one as none', async () => {
    const bytes = new Uint8Array([1, 2, 3]);
    expect(await chunksOf(bytes)).toEqual([bytes]);
    expect(await chunksOf(new Uint8Array(0))).toEqual([]);
  });

  it('passes a stream through without its empty chunks, and refuses what is not bytes', async () => {
    async function* stream() {
      yield new Uint8Array([1]);
      yield new Uint8Array(0);
      yield new Uint8Array([2, 3]);
    }
    expect(await collectBody(bodyChunks(stream()))).toEqual(new Uint8Array([1, 2, 3]));
    expect((await chunksOf(stream())).map((chunk) => chunk.byteLength)).toEqual([1, 2]);
    async function* notBytes() {
      yield 'text' as unknown as Uint8Array;
    }
    await expect(chunksOf(notBytes())).rejects.toThrow(TypeError);
  });

  it('holds a buffer as a BytesBody that collectBody takes as it is, iterable again', async () => {
    const bytes = new Uint8Array([4, 5]);
    const body = bodyChunks(bytes);
    expect(body).toBeInstanceOf(BytesBody);
    expect(await collectBody(body)).toBe(bytes);
    expect(await chunksOf(body)).toEqual([bytes]);
    expect(await chunksOf(body)).toEqual([bytes]);
    const iterator = body[Symbol.asyncIterator]();
    await iterator.return?.();
    expect((await iterator.next()).done).toBe(true);
  });
});

describe('the front and bodies held in memory', () => {
  it('fails a get whose in-memory body holds fewer bytes than announced, when it is read', async () => {
    const adapter = {
      description: 'short',
      capabilities: {
        atomicConditionalWrites: true,
        atomicConditionalDeletes: true,
        sharedAcrossProcesses: false,
        persistent: false,
      },
      put: async () => ({ etag: '"1"', size: 0 }),
      get: async (key: string) => ({
        key,
        size: 3,
        etag: '"1"',
        lastModified: new Date(0),
        body: new BytesBody(new Uint8Array([1, 2])),
      }),
      delete: async () => false,
      list: async () => ({ objects: [] }),
    };
    const object = await new StorageFront(adapter).get('a.txt');
    await expect(collectBody(object?.body ?? new Uint8Array())).rejects.toThrow(
      /held 2 bytes, 3 were announced/,
    );
  });
});
