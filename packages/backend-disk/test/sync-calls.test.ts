import { ValidationError } from '@datalake/core';
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
  await disk.put('a/b/small', text('small'), { ifNoneMatch: '*' });
  await disk.put('a/b/small', text('replaced'));
  await disk.put('a/big', new Uint8Array(200_000).fill(7));
  expect(await readText(disk, 'a/b/small')).toBe('replaced');
  expect(await allKeys(disk)).toEqual(['a/b/small', 'a/big']);
}

describe('synchronous calls', () => {
  it('write small unsynced bodies and stat listings synchronously, larger bodies through the thread pool', async () => {
    const { fs, calls } = countingFs();
    await exercise(new DiskBackend({ root: '/lake', fs, fsync: false }));
    // Two small bodies, each written synchronously; the 200 kB body is not.
    expect(calls.get('openSync')).toBe(2);
    expect(calls.get('writeSync')).toBe(2);
    expect(calls.get('linkSync')).toBe(1);
    expect(calls.get('lstatSync')).toBeGreaterThanOrEqual(2);
  });

  it('are not used for writes with fsync on', async () => {
    const { fs, calls } = countingFs();
    await exercise(new DiskBackend({ root: '/lake', fs, fsync: true }));
    expect([...calls.keys()]).toEqual(['lstatSync']);
  });

  it('are not used at all with syncWriteMaxBytes 0', async () => {
    const { fs, calls } = countingFs();
    await exercise(new DiskBackend({ root: '/lake', fs, fsync: false, syncWriteMaxBytes: 0 }));
    expect(calls.size).toBe(0);
  });

  it('rejects a syncWriteMaxBytes that is not a whole number of bytes', () => {
    for (const bad of [-1, 1.5, Number.NaN]) {
      expect(() => new DiskBackend({ root: '/lake', syncWriteMaxBytes: bad })).toThrow(ValidationError);
    }
  });
});
