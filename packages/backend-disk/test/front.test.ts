import { ClosedError, type DataLakeError, PutMode, StorageFront, ValidationError } from '@datalake/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DiskAdapter, DiskBackend } from '../src/index.js';
import { tempRoot } from './helpers.js';

const text = (value: string) => new TextEncoder().encode(value);

async function* stream(...parts: string[]): AsyncIterable<Uint8Array> {
  for (const part of parts) yield text(part);
}

describe('new DiskBackend(), used directly', () => {
  it('is the disk adapter behind core’s checking front', async () => {
    const disk = new DiskBackend({ root: await tempRoot(), fsync: false });
    expect(disk).toBeInstanceOf(StorageFront);
    expect(StorageFront.of(disk)).toBe(disk);
    expect(disk.description).toBe(`disk:${disk.root}`);
    await disk.close();
  });

  it('refuses what the front refuses, with typed errors, and stores nothing', async () => {
    const disk = new DiskBackend({ root: await tempRoot(), fsync: false });
    await disk.put('a.txt', text('abc'));
    const refused: [string, () => Promise<unknown>][] = [
      ['a range starting past the end', () => disk.get('a.txt', { range: { start: 3 } })],
      ['a range ending before its start', () => disk.get('a.txt', { range: { start: 2, end: 1 } })],
      ['a buffer longer than contentLength', () => disk.put('b.txt', text('abc'), { contentLength: 2 })],
      [
        'a stream shorter than contentLength',
        () => disk.put('b.txt', stream('a', 'b'), { contentLength: 3 }),
      ],
      [
        'an etag beside create',
        () => disk.put('b.txt', text('x'), { mode: { kind: 'create', etag: '"1"' } as never }),
      ],
      ['the old ifMatch option', () => disk.put('b.txt', text('x'), { ifMatch: '"1"' } as never)],
      ['an empty delete ifMatch', () => disk.delete('a.txt', { ifMatch: '' })],
      ['a list limit of 1.5', () => disk.list('', { limit: 1.5 })],
      ['metadata that is not a string', () => disk.put('b.txt', text('x'), { metadata: { n: 1 } as never })],
    ];
    for (const [label, call] of refused) {
      await expect(call(), label).rejects.toBeInstanceOf(ValidationError);
    }
    expect(await disk.head('b.txt'), 'nothing stored under b.txt').toBeNull();
    await disk.close();
  });

  it('refuses every call after close() with ClosedError, and closes once', async () => {
    const disk = new DiskBackend({ root: await tempRoot(), fsync: false });
    await disk.put('a.txt', text('abc'), { mode: PutMode.create });
    await disk.close();
    await disk.close();
    await expect(disk.get('a.txt')).rejects.toBeInstanceOf(ClosedError);
    await expect(disk.put('a.txt', text('x'))).rejects.toBeInstanceOf(ClosedError);
    await expect(disk.list('')).rejects.toBeInstanceOf(ClosedError);
  });

  it('answers any key with a result or a typed error, never a raw one', async () => {
    const disk = new DiskBackend({ root: await tempRoot(), fsync: false });
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 40 }), async (key) => {
        try {
          await disk.put(key, text('x'));
          expect((await disk.head(key))?.size).toBe(1);
        } catch (error) {
          expect(error, JSON.stringify(key)).toBeInstanceOf(Error);
          expect((error as DataLakeError).code, JSON.stringify(key)).toBeOneOf(['VALIDATION', 'CONFLICT']);
        }
      }),
      { numRuns: 200 },
    );
    await disk.close();
  });

  it('exports the bare adapter for fronts of one’s own', async () => {
    const adapter = new DiskAdapter({ root: await tempRoot(), fsync: false });
    const front = new StorageFront(adapter);
    await front.put('x/y.txt', text('hello'));
    expect((await front.list('x/')).objects.map((object) => object.key)).toEqual(['x/y.txt']);
    await front.close();
  });
});
