import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { BackendError, DataLake, DataType, PutMode } from '@datalake/core';
import { describe, expect, it } from 'vitest';
import { DiskBackend, INTERNAL_FOLDER } from '../src/index.js';
import { allKeys, readText, tempRoot, text } from './helpers.js';

/** A lake folder and, beside it, a folder with a file that must never change. */
async function lakeAndOutside() {
  const base = await tempRoot();
  const root = path.join(base, 'lake');
  const outside = path.join(base, 'outside');
  await mkdir(outside);
  await writeFile(path.join(outside, 'secret.txt'), 'secret');
  const outsideState = () => readdir(outside, { recursive: true }).then((names) => names.sort());
  return { base, root, outside, outsideState };
}

/** The error a call fails with (the test fails if it succeeds). */
async function failure(promise: Promise<unknown>): Promise<BackendError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(BackendError);
  return error as BackendError;
}

function expectLinkRefusal(error: BackendError, at: string) {
  expect(error.message).toContain(`a symbolic link at ${JSON.stringify(at)} leads out of the lake`);
  expect(error.details.symlink).toBe(at);
}

const variants = [
  { name: 'synchronous calls', syncCallMaxBytes: undefined },
  { name: 'thread-pool calls only', syncCallMaxBytes: 0 },
];

describe.each(variants)('symbolic links planted in the lake ($name)', ({ syncCallMaxBytes }) => {
  const open = (root: string) => new DiskBackend({ root, fsync: false, syncCallMaxBytes });

  it('refuses to store through a folder replaced by a link (the reported case)', async () => {
    const { root, outside, outsideState } = await lakeAndOutside();
    const before = await outsideState();
    const lake = await DataLake.open(open(root), { onNotice: () => {} });
    await lake.store({ name: 'first.txt', dataType: DataType.OTHER, content: 'first' });
    await lake.close();
    await rm(path.join(root, 'other'), { recursive: true });
    await symlink(outside, path.join(root, 'other'));

    const again = await DataLake.open(open(root), { onNotice: () => {} });
    const error = await failure(again.store({ name: 'pwn.txt', dataType: DataType.OTHER, content: 'pwned' }));
    expectLinkRefusal(error, 'other');
    await again.close();
    expect(await outsideState()).toEqual(before);
  });

  it('refuses every key operation through a linked folder, and lists nothing below it', async () => {
    const { root, outside, outsideState } = await lakeAndOutside();
    const disk = open(root);
    await disk.put('docs/inside.txt', text('inside'));
    await mkdir(path.join(outside, 'sub'));
    await writeFile(path.join(outside, 'sub', 'file.txt'), 'outside file');
    const before = await outsideState();
    await symlink(outside, path.join(root, 'docs', 'linked'));

    for (const attempt of [
      () => disk.put('docs/linked/new.txt', text('x')),
      () => disk.put('docs/linked/sub/new.txt', text('x'), { mode: PutMode.create }),
      () => disk.put('docs/linked/secret.txt', text('x'), { metadata: { a: 'b' } }),
      () => disk.get('docs/linked/secret.txt'),
      () => disk.get('docs/linked/sub/file.txt', { range: { start: 0, end: 1 } }),
      () => disk.head('docs/linked/secret.txt'),
      () => disk.delete('docs/linked/secret.txt'),
      () => disk.delete('docs/linked/sub/file.txt', { ifMatch: 'x' }),
    ]) {
      expectLinkRefusal(await failure(attempt()), 'docs/linked');
    }
    expect(await allKeys(disk)).toEqual(['docs/inside.txt']);
    expect(await allKeys(disk, 'docs/linked/')).toEqual([]);
    expect(await allKeys(disk, 'docs/linked/sub/')).toEqual([]);
    expect((await disk.list('docs/', { delimiter: '/' })).prefixes).toEqual([]);
    expect(await outsideState()).toEqual(before);
    expect(await readFile(path.join(outside, 'secret.txt'), 'utf8')).toBe('secret');
  });

  it('refuses an object that is itself a link, to a file or a folder, absolute or relative', async () => {
    const { root, outside, outsideState } = await lakeAndOutside();
    const disk = open(root);
    await disk.put('a/real.txt', text('real'));
    await symlink(path.join(outside, 'secret.txt'), path.join(root, 'a', 'to-file'));
    await symlink(path.join('..', '..', 'outside', 'secret.txt'), path.join(root, 'a', 'relative'));
    await symlink(outside, path.join(root, 'a', 'to-folder'));
    await symlink('loop', path.join(root, 'a', 'loop'));
    const before = await outsideState();

    for (const name of ['to-file', 'relative', 'to-folder', 'loop']) {
      const key = `a/${name}`;
      for (const attempt of [
        () => disk.get(key),
        () => disk.head(key),
        () => disk.delete(key),
        () => disk.put(key, text('replaced')),
        () => disk.put(key, text('created'), { mode: PutMode.create }),
      ]) {
        expectLinkRefusal(await failure(attempt()), key);
      }
    }
    expect(await allKeys(disk)).toEqual(['a/real.txt']);
    expect(await outsideState()).toEqual(before);
    expect(await readFile(path.join(outside, 'secret.txt'), 'utf8')).toBe('secret');
  });

  it('never creates a folder through a dangling link', async () => {
    const { root, outside, outsideState } = await lakeAndOutside();
    const disk = open(root);
    await disk.put('k', text('x'));
    const before = await outsideState();
    await symlink(path.join(outside, 'not-yet'), path.join(root, 'dangling'));
    expectLinkRefusal(await failure(disk.put('dangling/deeper/k', text('x'))), 'dangling');
    expect(await disk.get('dangling/deeper/k').catch((error: unknown) => error)).toBeInstanceOf(BackendError);
    expect(await outsideState()).toEqual(before);
  });

  it('refuses links inside its own folder, for each internal folder and file', async () => {
    for (const planted of [
      INTERNAL_FOLDER,
      `${INTERNAL_FOLDER}/tmp`,
      `${INTERNAL_FOLDER}/locks`,
      `${INTERNAL_FOLDER}/attributes`,
    ]) {
      const { root, outside, outsideState } = await lakeAndOutside();
      const disk = open(root);
      await disk.put('a/k', text('before'), { metadata: { v: '1' } });
      const target = path.join(outside, path.basename(planted));
      await mkdir(target);
      const before = await outsideState();
      await rm(path.join(root, planted), { recursive: true, force: true });
      await symlink(target, path.join(root, planted));

      const fresh = open(root);
      const attempts = [
        () => fresh.put('a/k', text('after'), { metadata: { v: '2' } }),
        () => fresh.put('b/new', text('new'), { mode: PutMode.create }),
        () => fresh.delete('a/k'),
        () => fresh.head('a/k'),
      ];
      let refusals = 0;
      for (const attempt of attempts) {
        const error = await attempt().then(
          () => undefined,
          (reason: unknown) => reason,
        );
        if (error === undefined) continue;
        expect(error).toBeInstanceOf(BackendError);
        expect((error as Error).message).toContain('symbolic link');
        refusals++;
      }
      expect(refusals, planted).toBeGreaterThan(0);
      expect(await outsideState(), planted).toEqual(before);
    }
  });

  it('refuses a side file or a lock file that is a link', async () => {
    const { root, outside, outsideState } = await lakeAndOutside();
    const disk = open(root);
    await disk.put('a/k', text('x'), { metadata: { v: '1' } });
    await disk.put('b/k', text('y'));
    // The side file of a/k moved outside, a link left in its place.
    const attributes = path.join(root, INTERNAL_FOLDER, 'attributes');
    const [sideFile] = (await readdir(attributes)) as [string];
    await rename(path.join(attributes, sideFile), path.join(outside, 'side.json'));
    await symlink(path.join(outside, 'side.json'), path.join(attributes, sideFile));
    // A lock file of b/k, planted as a link to a file outside.
    await writeFile(path.join(outside, 'lock.json'), '{}');
    const digest = createHash('sha256').update('b/k', 'utf8').digest('base64url').slice(0, 32);
    await symlink(
      path.join(outside, 'lock.json'),
      path.join(root, INTERNAL_FOLDER, 'locks', `${digest}.lock`),
    );
    const before = await outsideState();

    expectLinkRefusal(await failure(disk.get('a/k')), `${INTERNAL_FOLDER}/attributes/${sideFile}`);
    expectLinkRefusal(await failure(disk.head('a/k')), `${INTERNAL_FOLDER}/attributes/${sideFile}`);
    expectLinkRefusal(await failure(disk.put('b/k', text('w'))), `${INTERNAL_FOLDER}/locks/${digest}.lock`);
    expect(await readText(disk, 'b/k')).toBe('y');
    expect(await outsideState()).toEqual(before);
    expect(await readFile(path.join(outside, 'lock.json'), 'utf8')).toBe('{}');
  });
});

describe('a root that is a symbolic link', () => {
  it('is resolved once, on first use', async () => {
    const base = await tempRoot();
    const first = path.join(base, 'first');
    const second = path.join(base, 'second');
    await mkdir(first);
    await mkdir(second);
    const link = path.join(base, 'lake');
    await symlink(first, link);
    const disk = new DiskBackend({ root: link, fsync: false });
    expect(disk.root).toBe(link);
    await disk.put('a/b', text('one'));
    expect(await readFile(path.join(first, 'a', 'b'), 'utf8')).toBe('one');

    // Re-pointing the link later does not move a backend that is already in use.
    await rm(link);
    await symlink(second, link);
    await disk.put('a/c', text('two'));
    expect(await readFile(path.join(first, 'a', 'c'), 'utf8')).toBe('two');
    expect(await readdir(second)).toEqual([]);
    expect(await allKeys(disk)).toEqual(['a/b', 'a/c']);

    const reopened = new DiskBackend({ root: link, fsync: false });
    expect(await allKeys(reopened)).toEqual([]);
  });
});
