import { readdir, readFile, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import { BackendError, collectBody, PreconditionFailedError, PutMode } from '@datalake/core';
import { describe, expect, it } from 'vitest';
import { DiskBackend, INTERNAL_FOLDER } from '../src/index.js';
import { DiskLayout } from '../src/layout.js';
import { deadPid, readText, tempRoot, text } from './helpers.js';

async function increment(disk: DiskBackend, key: string): Promise<number> {
  for (let attempt = 0; attempt < 1000; attempt++) {
    const current = await disk.get(key);
    if (!current) throw new Error('counter missing');
    const value = Number(new TextDecoder().decode(await collectBody(current.body)));
    try {
      await disk.put(key, text(String(value + 1)), { mode: PutMode.replace(current.etag) });
      return attempt;
    } catch (error) {
      if (!(error instanceof PreconditionFailedError)) throw error;
    }
  }
  throw new Error('no progress');
}

describe('conditional writes', () => {
  it('creates only when absent and checks etags on put and delete', async () => {
    const disk = new DiskBackend({ root: await tempRoot(), fsync: false });
    const created = await disk.put('k', text('1'), { mode: PutMode.create });
    await expect(disk.put('k', text('2'), { mode: PutMode.create })).rejects.toBeInstanceOf(
      PreconditionFailedError,
    );
    await expect(disk.put('k', text('2'), { mode: PutMode.replace('stale') })).rejects.toBeInstanceOf(
      PreconditionFailedError,
    );
    await expect(
      disk.put('missing', text('2'), { mode: PutMode.replace(created.etag) }),
    ).rejects.toBeInstanceOf(PreconditionFailedError);
    const updated = await disk.put('k', text('2'), { mode: PutMode.replace(`"${created.etag}"`) });
    expect(updated.etag).not.toBe(created.etag);
    await expect(disk.delete('k', { ifMatch: created.etag })).rejects.toBeInstanceOf(PreconditionFailedError);
    await expect(disk.delete('missing', { ifMatch: created.etag })).rejects.toBeInstanceOf(
      PreconditionFailedError,
    );
    expect(await readText(disk, 'k')).toBe('2');
    expect(await disk.delete('k', { ifMatch: updated.etag })).toBe(true);
    expect(await disk.put('k', text('3'), { mode: PutMode.create })).toBeDefined();
  });

  it('lets exactly one of 8 concurrent conditional creates win', async () => {
    const root = await tempRoot();
    const disks = [new DiskBackend({ root, fsync: false }), new DiskBackend({ root, fsync: false })];
    for (let round = 0; round < 5; round++) {
      const key = `race/${round}`;
      const results = await Promise.allSettled(
        Array.from({ length: 8 }, (_, i) =>
          (disks[i % 2] as DiskBackend).put(key, text(`writer ${i}`), { mode: PutMode.create }),
        ),
      );
      const winners = results.filter((result) => result.status === 'fulfilled');
      expect(winners).toHaveLength(1);
      for (const result of results) {
        if (result.status === 'rejected') expect(result.reason).toBeInstanceOf(PreconditionFailedError);
      }
      expect(await readText(disks[0] as DiskBackend, key)).toMatch(/^writer \d$/);
    }
    expect(await readdir(path.join(root, INTERNAL_FOLDER, 'tmp'))).toEqual([]);
  });

  it('loses no increment when many writers on two instances compare-and-swap one key', async () => {
    const root = await tempRoot();
    const disks = [new DiskBackend({ root, fsync: false }), new DiskBackend({ root, fsync: false })];
    await (disks[0] as DiskBackend).put('counter', text('0'));
    const writers = 24;
    await Promise.all(
      Array.from({ length: writers }, (_, i) => increment(disks[i % 2] as DiskBackend, 'counter')),
    );
    expect(await readText(disks[1] as DiskBackend, 'counter')).toBe(String(writers));
    expect(await readdir(path.join(root, INTERNAL_FOLDER, 'locks'))).toEqual([]);
  });

  it('breaks a lock whose holder process is gone', async () => {
    const root = await tempRoot();
    const disk = new DiskBackend({ root, fsync: false, lockWaitMs: 2_000 });
    await disk.put('k', text('1'));
    // Take the lock for 'k' by hand, as a writer that then died would have left it.
    await writeFile(
      lockFile(root, 'k'),
      JSON.stringify({ host: hostname(), pid: deadPid(), time: Date.now(), token: 'dead' }),
    );
    await disk.put('k', text('2'));
    expect(await readText(disk, 'k')).toBe('2');
  });

  it('breaks a lock older than lockStaleMs and times out on a live, fresh one', async () => {
    const root = await tempRoot();
    const disk = new DiskBackend({ root, fsync: false, lockWaitMs: 300, lockStaleMs: 60_000 });
    await disk.put('k', text('1'));
    const file = lockFile(root, 'k');
    const live = { host: hostname(), pid: process.pid, token: 'busy' };
    await writeFile(file, JSON.stringify({ ...live, time: Date.now() }));
    const timedOut = disk.put('k', text('2'));
    await expect(timedOut).rejects.toBeInstanceOf(BackendError);
    await expect(timedOut).rejects.toThrow(/lock on key "k"/);
    expect(JSON.parse(await readFile(file, 'utf8')).token).toBe('busy');
    await writeFile(file, JSON.stringify({ ...live, time: Date.now() - 120_000 }));
    await disk.put('k', text('3'));
    expect(await readText(disk, 'k')).toBe('3');
  });
});

function lockFile(root: string, key: string): string {
  return new DiskLayout(root).lockPath(key);
}
