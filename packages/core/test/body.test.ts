import { bodyChunks, collectBody } from '@datalake/model';
import { describe, expect, it } from 'vitest';

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
});
