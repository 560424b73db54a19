import {
  compareKeys,
  DataLake,
  DataType,
  PreconditionFailedError,
  PutMode,
  ValidationError,
} from '@datalake/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MemoryBackend } from '../src/index.js';

const encode = (text: string) => new TextEncoder().encode(text);

async function text(backend: MemoryBackend, key: string): Promise<string | null> {
  const result = await backend.get(key);
  if (!result) return null;
  const chunks: Uint8Array[] = [];
  for await (const chunk of result.body) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

describe('MemoryBackend', () => {
  it('declares itself atomic, per-process and not persistent', () => {
    expect(new MemoryBackend().capabilities).toEqual({
      atomicConditionalWrites: true,
      atomicConditionalDeletes: true,
      sharedAcrossProcesses: false,
      persistent: false,
      objectMetadata: true,
      delimiterListing: true,
    });
  });

  it('gives every write a new etag, even of identical bytes', async () => {
    const backend = new MemoryBackend();
    const etags = new Set<string>();
    for (let round = 0; round < 5; round++) etags.add((await backend.put('same', encode('same bytes'))).etag);
    expect(etags.size).toBe(5);
  });

  it('copies streamed chunks as they arrive, so a producer may reuse its buffer', async () => {
    const backend = new MemoryBackend();
    const shared = new Uint8Array(4);
    async function* reusing() {
      for (const letter of 'abcd') {
        shared.fill(letter.charCodeAt(0));
        yield shared;
      }
    }
    await backend.put('reused', reusing());
    expect(await text(backend, 'reused')).toBe('aaaabbbbccccdddd');
  });

  it('rejects a body whose length contradicts contentLength, keeping the old object', async () => {
    const backend = new MemoryBackend();
    await backend.put('sized', encode('old'));
    await expect(backend.put('sized', encode('four'), { contentLength: 3 })).rejects.toBeInstanceOf(
      ValidationError,
    );
    expect(await text(backend, 'sized')).toBe('old');
  });

  it('rejects a malformed mode and a replace with an empty etag', async () => {
    const backend = new MemoryBackend();
    const malformed = { kind: 'whenever' } as unknown as PutMode;
    await expect(backend.put('k', encode('x'), { mode: malformed })).rejects.toBeInstanceOf(ValidationError);
    await expect(backend.put('k', encode('x'), { mode: PutMode.replace('') })).rejects.toBeInstanceOf(
      ValidationError,
    );
    expect(await backend.head('k')).toBeNull();
  });

  it('hands out listing records the caller cannot use to alter stored state', async () => {
    const backend = new MemoryBackend();
    const { etag } = await backend.put('a/b', encode('x'));
    const page = await backend.list('a/');
    const record = page.objects[0];
    if (!record) throw new Error('listing is empty');
    record.etag = 'forged';
    record.lastModified.setFullYear(1970);
    const again = (await backend.list('a/')).objects[0];
    expect(again?.etag).toBe(etag);
    expect(again?.lastModified.getFullYear()).toBeGreaterThan(2000);
    await expect(backend.put('a/b', encode('y'), { mode: PutMode.replace('forged') })).rejects.toBeInstanceOf(
      PreconditionFailedError,
    );
  });

  it('lists with any prefix a valid key can start with, and rejects the others', async () => {
    const backend = new MemoryBackend();
    await backend.put('notes/draft one.txt', encode('1'));
    await backend.put('notes/draft two.txt', encode('2'));
    expect((await backend.list('notes/draft ')).objects.map((object) => object.key)).toEqual([
      'notes/draft one.txt',
      'notes/draft two.txt',
    ]);
    for (const prefix of ['../', '/', 'a//', 'x\u0000']) {
      await expect(backend.list(prefix)).rejects.toBeInstanceOf(ValidationError);
    }
  });

  it('is unusable after close', async () => {
    const backend = new MemoryBackend();
    await backend.put('k', encode('x'));
    await backend.close();
    await expect(backend.get('k')).rejects.toMatchObject({ code: 'CLOSED' });
    await expect(backend.put('k', encode('x'))).rejects.toMatchObject({ code: 'CLOSED' });
  });

  it('serves a DataLake that a second lake over the same instance can read', async () => {
    const backend = new MemoryBackend();
    const first = await DataLake.open(backend, { keepBackendOpen: true });
    const entry = await first.store({ name: 'a.sql', content: 'select 1', dataType: DataType.SCHEMA });
    await first.close();
    const second = await DataLake.open(backend);
    expect((await second.retrieve(entry.id)).content).toBe('select 1');
    await second.close();
    await expect(backend.list('')).rejects.toMatchObject({ code: 'CLOSED' });
  });

  it('property: after any sequence of puts and deletes, paged listings match a model', async () => {
    const key = fc.constantFrom('a', 'a/b', 'a/c', 'a b', 'a+b', 'b/😀', 'b/\u{fffd}', 'b/é', 'c/d/e', 'z');
    const operation = fc.oneof(
      fc.record({ kind: fc.constant('put' as const), key, body: fc.string({ maxLength: 8 }) }),
      fc.record({ kind: fc.constant('delete' as const), key }),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(operation, { maxLength: 40 }),
        fc.integer({ min: 1, max: 4 }),
        async (operations, limit) => {
          const backend = new MemoryBackend();
          const model = new Map<string, string>();
          for (const step of operations) {
            if (step.kind === 'put') {
              await backend.put(step.key, encode(step.body));
              model.set(step.key, step.body);
            } else {
              expect(await backend.delete(step.key)).toBe(model.delete(step.key));
            }
          }
          const listed: string[] = [];
          let cursor: string | undefined;
          for (let page = 0; page <= model.size; page++) {
            const result = await backend.list('', cursor === undefined ? { limit } : { limit, cursor });
            listed.push(...result.objects.map((object) => object.key));
            cursor = result.cursor;
            if (cursor === undefined) break;
          }
          expect(cursor).toBeUndefined();
          expect(listed).toEqual([...model.keys()].sort(compareKeys));
          for (const [stored, body] of model) expect(await text(backend, stored)).toBe(body);
        },
      ),
      { numRuns: 200 },
    );
  });
});
