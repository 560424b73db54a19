import { BackendError, PreconditionFailedError, PutMode } from '@datalake/core';
import { beforeEach, describe, expect, it } from 'vitest';
import { DiskBackend, INTERNAL_FOLDER } from '../src/index.js';
import { type Faults, faultyFs } from './faulty-fs.js';
import { allKeys, bytesOf, chunked, memoryVolume, randomBytes, readText, text } from './helpers.js';

const ROOT = '/lake';

/**
 * The backend writes small unsynced objects with synchronous calls and everything else through the
 * thread pool: each fault is injected on both paths.
 */
const PATHS = [
  { name: 'thread-pool calls', syncCalls: false, fsync: true },
  { name: 'synchronous calls for small unsynced writes', syncCalls: true, fsync: false },
];

let variantInUse = PATHS[0] as (typeof PATHS)[number];

function setup(options: { fsync?: boolean } = {}) {
  const { volume, fs } = memoryVolume({ syncCalls: variantInUse.syncCalls });
  const faults: Faults = {};
  const disk = new DiskBackend({
    root: ROOT,
    fs: faultyFs(fs, faults),
    fsync: options.fsync ?? variantInUse.fsync,
  });
  const tempFiles = () => volume.readdirSync(`${ROOT}/${INTERNAL_FOLDER}/tmp`);
  return { volume, faults, disk, tempFiles };
}

/** Expects a BackendError for a put of `key` that carries the injected code as its cause. */
async function expectBackendError(promise: Promise<unknown>, operation: string, key: string, code: string) {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(BackendError);
  const failure = error as BackendError;
  expect(failure.message).toContain(operation);
  expect(failure.message).toContain(JSON.stringify(key));
  expect(failure.message).toContain(code);
  expect((failure.cause as NodeJS.ErrnoException).code).toBe(code);
  expect(failure.details).toMatchObject({ key, code });
}

describe.each(PATHS)('fault injection on a memfs volume, $name', (variant) => {
  beforeEach(() => {
    variantInUse = variant;
  });

  for (const code of ['ENOSPC', 'EIO']) {
    it(`keeps the previous object when a streamed write fails half way with ${code}`, async () => {
      const { faults, disk, tempFiles } = setup();
      const old = randomBytes(300_000, 7);
      await disk.put('macro/finance/m.vba', old, { contentType: 'text/plain' });
      faults.write = { code, afterBytes: 500_000 };
      await expectBackendError(
        disk.put('macro/finance/m.vba', chunked(randomBytes(1_000_000, 8), 64 * 1024)),
        'put',
        'macro/finance/m.vba',
        code,
      );
      faults.write = undefined;
      const current = await disk.get('macro/finance/m.vba');
      expect(Buffer.from(await bytesOf(current)).equals(Buffer.from(old))).toBe(true);
      expect(current?.contentType).toBe('text/plain');
      expect(tempFiles()).toEqual([]);
      expect(await allKeys(disk)).toEqual(['macro/finance/m.vba']);
    });
  }

  it('leaves nothing behind when a first write fails', async () => {
    const { faults, disk, tempFiles } = setup();
    faults.write = { code: 'ENOSPC', afterBytes: 10 };
    await expectBackendError(disk.put('new/key', text('more than ten bytes')), 'put', 'new/key', 'ENOSPC');
    await expectBackendError(
      disk.put('new/created', text('more than ten bytes'), { mode: PutMode.create }),
      'put',
      'new/created',
      'ENOSPC',
    );
    expect(await disk.get('new/created')).toBeNull();
    expect(await disk.get('new/key')).toBeNull();
    expect(tempFiles()).toEqual([]);
    expect(await allKeys(disk)).toEqual([]);
  });

  it('keeps the previous object when the rename into place fails', async () => {
    const { faults, disk, tempFiles } = setup();
    await disk.put('k', text('old'), { metadata: { v: '1' } });
    faults.calls = { rename: 'EIO' };
    await expectBackendError(disk.put('k', text('new'), { metadata: { v: '2' } }), 'put', 'k', 'EIO');
    faults.calls = {};
    expect(await readText(disk, 'k')).toBe('old');
    expect((await disk.head('k'))?.metadata).toEqual({ v: '1' });
    expect(tempFiles()).toEqual([]);
    expect(await disk.put('k', text('new'))).toBeDefined();
    expect(await readText(disk, 'k')).toBe('new');
  });

  it('keeps the previous object when fsync of the data fails', async () => {
    const { faults, disk, tempFiles } = setup({ fsync: true });
    await disk.put('k', text('old'));
    faults.calls = { datasync: 'EIO' };
    await expectBackendError(disk.put('k', text('new')), 'put', 'k', 'EIO');
    faults.calls = {};
    expect(await readText(disk, 'k')).toBe('old');
    expect(tempFiles()).toEqual([]);
  });

  it('falls back to the lock when hard links are not supported', async () => {
    const { faults, disk, tempFiles } = setup();
    faults.calls = { link: 'EPERM' };
    await disk.put('k', text('first'), { mode: PutMode.create });
    await expect(disk.put('k', text('second'), { mode: PutMode.create })).rejects.toBeInstanceOf(
      PreconditionFailedError,
    );
    const racers = await Promise.allSettled(
      Array.from({ length: 8 }, (_, i) => disk.put('race', text(String(i)), { mode: PutMode.create })),
    );
    expect(racers.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
    expect(await readText(disk, 'k')).toBe('first');
    expect(tempFiles()).toEqual([]);
  });

  it('reports a failing link, listing, delete and read as BackendErrors', async () => {
    const { faults, disk } = setup();
    await disk.put('a/k', text('x'.repeat(1000)));
    faults.calls = { link: 'EIO' };
    await expectBackendError(disk.put('a/new', text('x'), { mode: PutMode.create }), 'put', 'a/new', 'EIO');
    faults.calls = { readdir: 'EACCES' };
    await expectBackendError(disk.list('a/'), 'list', 'a/', 'EACCES');
    faults.calls = { unlink: 'EIO' };
    await expectBackendError(disk.delete('a/k'), 'delete', 'a/k', 'EIO');
    faults.calls = {};
    expect(await readText(disk, 'a/k')).toBe('x'.repeat(1000));
    faults.calls = { read: 'EIO' };
    // A small object may be read whole by `get` itself (synchronous calls), so either may fail.
    await expectBackendError(
      disk.get('a/k').then((result) => bytesOf(result)),
      'get',
      'a/k',
      'EIO',
    );
    faults.calls = {};
    await disk.put('a/large', new Uint8Array(300_000).fill(1));
    const reading = await disk.get('a/large');
    faults.calls = { read: 'EIO' };
    await expectBackendError(bytesOf(reading), 'get', 'a/large', 'EIO');
  });

  it('runs the whole read/write cycle on memfs, including ranges and etag changes', async () => {
    const { disk } = setup({ fsync: false });
    const etags = new Set<string>();
    // memfs keeps milliseconds and reuses inode numbers: etags must still never repeat.
    for (let i = 0; i < 100; i++) etags.add((await disk.put('same', text('x'))).etag);
    expect(etags.size).toBe(100);
    const ranged = await disk.get('same', { range: { start: 0, end: 5 } });
    expect(ranged?.range).toEqual({ start: 0, end: 0 });
    expect(await disk.delete('same')).toBe(true);
    expect(await allKeys(disk)).toEqual([]);
  });
});
