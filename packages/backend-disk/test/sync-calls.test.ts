import { collectBody, PutMode, ValidationError } from '@datalake/core';
import { describe, expect, it } from 'vitest';
import { DiskBackend, type DiskFs, type DiskSyncFs } from '../src/index.js';
import { allKeys, memoryVolume, readText, text } from './helpers.js';

/** The volume's file system, with every synchronous call counted by name. */
function countingFs(): { fs: DiskFs; calls: Map<string, number> } {
  const { fs } = memoryVolume({ syncCalls: true });
  const inner = fs.sync as DiskSyncFs;
  const calls = new Map<string, number>();
  const sync = new Proxy(inner, {
    get(target, name: string) {
      const value = Reflect.get(target, name) as (...args: unknown[]) => unknown;
      return (...args: unknown[]) => {
        calls.set(name, (calls.get(name) ?? 0) + 1);
        return value.apply(target, args);
      };
    },
  });
  return { fs: { ...fs, sync }, calls };
}

async function exercise(disk: DiskBackend): Promise<void> {
  await disk.put('a/b/small', text('small'), { mode: PutMode.create });
  await disk.put('a/b/small', text('replaced'));
  await disk.put('a/big', new Uint8Array(200_000).fill(7));
  expect(await readText(disk, 'a/b/small')).toBe('replaced');
  expect(await allKeys(disk)).toEqual(['a/b/small', 'a/big']);
}

describe('synchronous calls', () => {
  it('write small unsynced bodies and stat listings synchronously, larger bodies through the thread pool', async () => {
    const { fs, calls } = countingFs();
    await exercise(new DiskBackend({ root: '/lake', fs, fsync: false }));
    // Two small bodies written and one read back synchronously; the 200 kB body is written through the pool.
    expect(calls.get('writeSync')).toBe(2);
    expect(calls.get('linkSync')).toBe(1);
    expect(calls.get('openSync')).toBe(3);
    expect(calls.get('readSync')).toBe(1);
    expect(calls.get('lstatSync')).toBeGreaterThanOrEqual(2);
  });

  it('write small bodies made durable by the journal as they write unsynced ones, with fsync on', async () => {
    const { fs, calls } = countingFs();
    const disk = new DiskBackend({ root: '/lake', fs, fsync: true });
    await exercise(disk);
    // The journal's record is what is fsynced; the object files are written as without fsync. The
    // three records (the 200 kB body's too) are appended to the journal synchronously, then flushed.
    expect(calls.get('writeSync')).toBe(2 + 3);
    expect(calls.get('linkSync')).toBe(1);
    expect(calls.get('readSync')).toBe(1);
    expect(calls.get('fsyncSync') ?? 0).toBe(0);
    await disk.close();
  });

  it('read objects up to syncCallMaxBytes whole, ranges included, and larger ones through the thread pool', async () => {
    const { fs, calls } = countingFs();
    const disk = new DiskBackend({ root: '/lake', fs, fsync: true, syncCallMaxBytes: 1000 });
    const small = new Uint8Array(1000).map((_, i) => i % 251);
    const large = new Uint8Array(1001).map((_, i) => i % 241);
    await disk.put('small', small, { contentType: 'text/plain', metadata: { origin: 'test' } });
    await disk.put('large', large);
    await disk.put('empty', new Uint8Array(0));
    await disk.put('a-folder/below', text('x'));

    const got = await disk.get('small');
    expect(got).toMatchObject({ size: 1000, contentType: 'text/plain', metadata: { origin: 'test' } });
    expect(await collectBody(got?.body ?? new Uint8Array(0))).toEqual(small);
    const ranged = await disk.get('small', { range: { start: 10, end: 19 } });
    expect(ranged?.range).toEqual({ start: 10, end: 19 });
    expect(await collectBody(ranged?.body ?? new Uint8Array(0))).toEqual(small.subarray(10, 20));
    expect(await collectBody((await disk.get('empty'))?.body ?? new Uint8Array(0))).toEqual(
      new Uint8Array(0),
    );
    expect(await disk.get('missing')).toBeNull();
    expect(await disk.get('a-folder')).toBeNull();
    // Two reads of 'small' and of its side file (content type and metadata); 'empty' has no bytes to read.
    expect(calls.get('readSync')).toBe(4);

    const opensBefore = calls.get('openSync');
    expect(await collectBody((await disk.get('large'))?.body ?? new Uint8Array(0))).toEqual(large);
    // The large object was opened synchronously only to learn its size, then read through the pool.
    expect(calls.get('openSync')).toBe((opensBefore ?? 0) + 1);
    expect(calls.get('readSync')).toBe(4);
  });

  it('are not used at all with syncCallMaxBytes 0', async () => {
    const { fs, calls } = countingFs();
    await exercise(new DiskBackend({ root: '/lake', fs, fsync: false, syncCallMaxBytes: 0 }));
    expect(calls.size).toBe(0);
  });

  it('rejects a syncCallMaxBytes that is not a whole number of bytes', () => {
    for (const bad of [-1, 1.5, Number.NaN]) {
      expect(() => new DiskBackend({ root: '/lake', syncCallMaxBytes: bad })).toThrow(ValidationError);
    }
  });
});
