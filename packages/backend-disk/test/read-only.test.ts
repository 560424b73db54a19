import { spawnSync } from 'node:child_process';
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import { DataLake, DataType, NotFoundError, PutMode, ReadOnlyError } from '@datalake/core';
import { describe, expect, it } from 'vitest';
import { DiskBackend, INTERNAL_FOLDER } from '../src/index.js';
import { readOnlyFs } from './faulty-fs.js';
import { allKeys, deadPid, folderState, nodeFs, readText, tempRoot, text } from './helpers.js';

const quiet = { onNotice: () => {} };

/**
 * A lake as a snapshot or backup finds it: an index that does not cover every entry (they were
 * stored without index upkeep), a catalog snapshot older than the last store, and a temp file and
 * a lock left by a writer that died. Opening it normally would write: the index, the snapshot,
 * and the cleanup.
 */
async function lakeWithLoose(root: string): Promise<void> {
  const first = await DataLake.open(new DiskBackend({ root, fsync: false }), { ...quiet, search: 'scan' });
  await first.store({
    name: 'orders.sql',
    dataType: DataType.SCHEMA,
    content: 'CREATE TABLE orders (id INT)',
  });
  await first.store({
    name: 'Main.bas',
    dataType: DataType.MACRO,
    subpath: 'finance',
    content: 'Sub Main()\nEnd Sub',
  });
  await first.close();
  const late = await DataLake.open(new DiskBackend({ root, fsync: false }), { ...quiet, search: 'scan' });
  await late.store({ name: 'app.log', dataType: DataType.LOGS, content: 'a late needle' });
  // Not closed: the snapshot does not know app.log.
  const pid = deadPid();
  const internal = path.join(root, INTERNAL_FOLDER);
  await writeFile(path.join(internal, 'tmp', `${encodeURIComponent(hostname())}~${pid}~ab12.tmp`), 'torn');
  await mkdir(path.join(internal, 'locks'), { recursive: true });
  const lock = { host: hostname(), pid, time: Date.now(), token: 'gone' };
  await writeFile(path.join(internal, 'locks', 'abandoned.lock'), JSON.stringify(lock));
}

async function expectReadable(lake: DataLake): Promise<void> {
  const entries = await lake.list();
  expect(entries.map((entry) => entry.filePath)).toEqual([
    'logs/app.log',
    'macro/finance/Main.bas',
    'schema/orders.sql',
  ]);
  expect((await lake.getStats()).totalEntries).toBe(3);
  expect((await lake.retrieveByPath('macro/finance/Main.bas')).content).toBe('Sub Main()\nEnd Sub');
  expect((await lake.search('late needle')).hits.map((hit) => hit.entry.filePath)).toEqual(['logs/app.log']);
  expect((await lake.search('TABLE')).hits.map((hit) => hit.entry.filePath)).toEqual(['schema/orders.sql']);
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => expect.fail('expected a rejection'),
    (error: unknown) => error,
  );
}

describe.each(['EROFS', 'EACCES', 'EPERM'])('a lake whose file system refuses writes with %s', (code) => {
  it.each([
    { name: 'synchronous calls', syncCallMaxBytes: undefined },
    { name: 'thread-pool calls only', syncCallMaxBytes: 0 },
  ])(
    'is read (ls, stats, get, search) and refuses writes with ReadOnlyError ($name)',
    async ({ syncCallMaxBytes }) => {
      const root = await tempRoot();
      await lakeWithLoose(root);
      const before = folderState(root);
      const refused: string[] = [];
      const disk = new DiskBackend({ root, fs: readOnlyFs(nodeFs(), code, refused), syncCallMaxBytes });
      const notices: string[] = [];
      const lake = await DataLake.open(disk, {
        onNotice: (message) => notices.push(message),
        keepBackendOpen: true,
      });
      await expectReadable(lake);

      const storing = await rejection(
        lake.store({ name: 'new.txt', dataType: DataType.OTHER, content: 'x' }),
      );
      expect(storing).toBeInstanceOf(ReadOnlyError);
      expect((storing as ReadOnlyError).message).toContain(`the lake at ${root} cannot be written here`);
      expect((storing as ReadOnlyError).message).toContain(code);
      const [entry] = await lake.list();
      expect(await rejection(lake.delete(entry?.id as string))).toBeInstanceOf(ReadOnlyError);
      expect(await rejection(lake.update(entry?.id as string, { metadata: { a: 1 } }))).toBeInstanceOf(
        ReadOnlyError,
      );
      await lake.close();

      // The backend itself: typed errors carrying the code, for plain and conditional writes alike.
      for (const attempt of [
        () => disk.put('other/x', text('x')),
        () => disk.put('other/y', text('y'), { mode: PutMode.create }),
        () => disk.put('schema/orders.sql', text('z'), { metadata: { a: 'b' } }),
        () => disk.delete('schema/orders.sql'),
      ]) {
        const error = await rejection(attempt());
        expect(error).toBeInstanceOf(ReadOnlyError);
        expect((error as ReadOnlyError).details).toMatchObject({ code, root });
      }
      expect(await readText(disk, 'schema/orders.sql')).toBe('CREATE TABLE orders (id INT)');

      expect(refused.length).toBeGreaterThan(0);
      expect(folderState(root)).toEqual(before);
      expect(notices.filter((message) => message.includes('cannot be written'))).toHaveLength(1);
    },
  );
});

describe('option readOnly', () => {
  it('reads a writable lake without writing anything, and refuses writes at once', async () => {
    const root = await tempRoot();
    await lakeWithLoose(root);
    const before = folderState(root);
    // Any write call would be refused and recorded: there must be none.
    const attempted: string[] = [];
    const disk = new DiskBackend({ root, readOnly: true, fs: readOnlyFs(nodeFs(), 'EIO', attempted) });
    const notices: string[] = [];
    const lake = await DataLake.open(disk, {
      onNotice: (message) => notices.push(message),
      keepBackendOpen: true,
    });
    await expectReadable(lake);
    const storing = await rejection(lake.store({ name: 'new.txt', dataType: DataType.OTHER, content: 'x' }));
    expect(storing).toBeInstanceOf(ReadOnlyError);
    expect((storing as Error).message).toContain(`the lake at ${root} was opened read-only`);
    await lake.close();
    expect(await rejection(disk.put('a', text('a')))).toBeInstanceOf(ReadOnlyError);
    expect(await rejection(disk.delete('schema/orders.sql'))).toBeInstanceOf(ReadOnlyError);

    expect(attempted).toEqual([]);
    expect(folderState(root)).toEqual(before);
    expect(notices.filter((message) => message.includes('cannot be written'))).toHaveLength(1);
  });

  it('needs an existing lake, and never creates one', async () => {
    const base = await tempRoot();
    const disk = new DiskBackend({ root: path.join(base, 'missing'), readOnly: true });
    expect(await rejection(disk.list(''))).toBeInstanceOf(NotFoundError);
    expect(await rejection(disk.put('a', text('a')))).toBeInstanceOf(ReadOnlyError);
    expect(await readdir(base)).toEqual([]);
  });

  it('must be a boolean, like create', () => {
    const root = '/lake';
    expect(() => new DiskBackend({ root, readOnly: 'yes' as never })).toThrow(/readOnly/);
    expect(() => new DiskBackend({ root, create: 1 as never })).toThrow(/create/);
  });
});

describe('option create: false', () => {
  it('fails every operation with NotFoundError on a missing root and creates nothing', async () => {
    const base = await tempRoot();
    const root = path.join(base, 'deep', 'typo');
    const disk = new DiskBackend({ root, create: false, fsync: false });
    for (const attempt of [
      () => disk.get('a'),
      () => disk.head('a'),
      () => disk.list(''),
      () => disk.put('a', text('a')),
      () => disk.delete('a'),
      () => DataLake.open(disk, quiet),
    ]) {
      const error = await rejection(attempt());
      expect(error).toBeInstanceOf(NotFoundError);
      expect((error as Error).message).toBe(`no lake at ${root}`);
    }
    expect(await readdir(base)).toEqual([]);

    // The root made since: found on the next call.
    await mkdir(root, { recursive: true });
    expect(await disk.get('a')).toBeNull();
    await disk.put('a', text('a'));
    expect(await readText(disk, 'a')).toBe('a');
  });

  it('reads an existing root without writing anything into it', async () => {
    const root = await tempRoot();
    const disk = new DiskBackend({ root, create: false });
    expect(await disk.get('a/b')).toBeNull();
    expect(await disk.head('a')).toBeNull();
    expect(await allKeys(disk)).toEqual([]);
    expect(await disk.delete('a/b')).toBe(false);
    expect(await readdir(root)).toEqual([INTERNAL_FOLDER]);
    await rm(path.join(root, INTERNAL_FOLDER), { recursive: true });
    expect(await disk.get('a/b')).toBeNull();
    expect(await allKeys(disk, 'a/')).toEqual([]);
    expect(await readdir(root)).toEqual([]);
  });

  it('says a root that is a file is no lake', async () => {
    const base = await tempRoot();
    const file = path.join(base, 'file');
    await writeFile(file, 'not a lake');
    for (const create of [false, true]) {
      const error = await rejection(new DiskBackend({ root: file, create }).get('a'));
      expect(error).toBeInstanceOf(NotFoundError);
      expect((error as Error).message).toBe(`no lake at ${file}: it is not a folder`);
    }
  });

  it('is not the default: a missing root is created on first use', async () => {
    const base = await tempRoot();
    const root = path.join(base, 'new', 'lake');
    const disk = new DiskBackend({ root, fsync: false });
    expect(await disk.get('a')).toBeNull();
    expect(await readdir(root)).toEqual([]);
  });
});

describe('a lake on a real read-only mount', () => {
  it('is read, and refuses writes with ReadOnlyError', async (context) => {
    const base = await tempRoot();
    const root = path.join(base, 'lake');
    await mkdir(root);
    await lakeWithLoose(root);
    const mounted = path.join(base, 'mounted');
    await mkdir(mounted);
    // A bind mount needs CAP_SYS_ADMIN (root in most CI containers): elsewhere the injected file
    // system above stands in for the kernel.
    const bind = spawnSync('mount', ['--bind', root, mounted], { encoding: 'utf8' });
    if (bind.error || bind.status !== 0) {
      context.skip(`cannot make a bind mount here (${bind.error?.message ?? bind.stderr.trim()})`);
    }
    try {
      const remount = spawnSync('mount', ['-o', 'remount,bind,ro', mounted], { encoding: 'utf8' });
      expect(remount.status, remount.stderr).toBe(0);
      const before = folderState(root);
      const notices: string[] = [];
      const lake = await DataLake.open(new DiskBackend({ root: mounted }), {
        onNotice: (message) => notices.push(message),
      });
      await expectReadable(lake);
      const storing = await rejection(
        lake.store({ name: 'new.txt', dataType: DataType.OTHER, content: 'x' }),
      );
      expect(storing).toBeInstanceOf(ReadOnlyError);
      expect((storing as ReadOnlyError).details.code).toBe('EROFS');
      await lake.close();
      expect(folderState(root)).toEqual(before);
      expect(notices.filter((message) => message.includes('cannot be written'))).toHaveLength(1);
    } finally {
      spawnSync('umount', [mounted]);
    }
  });
});
