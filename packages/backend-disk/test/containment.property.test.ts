import * as nodeSync from 'node:fs';
import {
  constants,
  lstatSync,
  mkdirSync,
  readlinkSync,
  rmSync,
  type Stats,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import * as nodePromises from 'node:fs/promises';
import path from 'node:path';
import { BackendError, collectBody, type ListPage, PutMode, ValidationError } from '@datalake/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DiskBackend, type DiskFs, type DiskSyncFs } from '../src/index.js';
import { folderState, memoryVolume, tempRoot } from './helpers.js';

const ROOT = '/srv/lake';

/** Records every path the backend hands to the file system. */
function recordingFs(inner: DiskFs, touched: string[]): DiskFs {
  const note = <T>(paths: string[], call: () => Promise<T>): Promise<T> => {
    touched.push(...paths);
    return call();
  };
  return {
    open: (file, flags) => note([file], () => inner.open(file, flags)),
    lstat: (file, options) => note([file], () => inner.lstat(file, options)),
    readdir: (file, options) => note([file], () => inner.readdir(file, options)),
    mkdir: (file) => note([file], () => inner.mkdir(file)),
    rename: (from, to) => note([from, to], () => inner.rename(from, to)),
    link: (from, to) => note([from, to], () => inner.link(from, to)),
    unlink: (file) => note([file], () => inner.unlink(file)),
    rmdir: (file) => note([file], () => inner.rmdir(file)),
    realpath: (file) => note([file], () => inner.realpath?.(file) ?? Promise.resolve(file)),
  };
}

const segment = fc.oneof(
  fc.constantFrom('..', '.', '', ' ', '~', '%2e%2e', '\\..', 'C:', '\u0000', '.datalake-disk', 'a', 'ü'),
  fc.string({ maxLength: 6 }),
  fc.string({ unit: 'binary', maxLength: 4 }),
  fc.string({ unit: 'grapheme', maxLength: 3 }),
  fc.constantFrom('\ud800', 'x\udc00'),
);
const keyLike = fc.oneof(
  fc.array(segment, { minLength: 1, maxLength: 5 }).map((parts) => parts.join('/')),
  fc.array(segment, { minLength: 1, maxLength: 3 }).map((parts) => `/${parts.join('/')}`),
  fc.string({ unit: 'binary', maxLength: 30 }),
);

describe('containment', () => {
  it('never touches a path outside the root, whatever the key', async () => {
    const { fs } = memoryVolume();
    // The lake folder exists, as it does once a lake has been used; making it is not under test.
    await fs.mkdir('/srv');
    await fs.mkdir(ROOT);
    const touched: string[] = [];
    const disk = new DiskBackend({ root: ROOT, fs: recordingFs(fs, touched), fsync: false });
    await fc.assert(
      fc.asyncProperty(keyLike, async (key) => {
        touched.length = 0;
        const attempts = [
          () => disk.put(key, new TextEncoder().encode('x')),
          () => disk.put(key, new Uint8Array(), { mode: PutMode.create }),
          () => disk.get(key),
          () => disk.head(key),
          () => disk.delete(key),
          () => disk.list(key, { delimiter: '/' }),
          () => disk.list(key),
        ];
        for (const attempt of attempts) {
          try {
            await attempt();
          } catch (error) {
            // Only typed refusals are acceptable: validation, or a folder/object clash.
            expect((error as { code?: string }).code).toMatch(/^(VALIDATION|CONFLICT|PRECONDITION_FAILED)$/);
          }
        }
        for (const file of touched) {
          const relative = path.relative(ROOT, file);
          expect(relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative)), file).toBe(
            true,
          );
        }
      }),
      { numRuns: 300 },
    );
  });

  it('rejects exactly the keys core rejects, plus the internal folder', async () => {
    const { fs } = memoryVolume();
    const disk = new DiskBackend({ root: ROOT, fs, fsync: false });
    await fc.assert(
      fc.asyncProperty(keyLike, async (key) => {
        const { assertValidKey } = await import('@datalake/core');
        let coreAccepts = true;
        try {
          assertValidKey(key);
        } catch {
          coreAccepts = false;
        }
        const reserved =
          key === '.datalake-disk' || key.startsWith('.datalake-disk/') || /\p{Surrogate}/u.test(key);
        const outcome = await disk.head(key).then(
          () => 'accepted',
          (error: unknown) => (error instanceof ValidationError ? 'rejected' : 'failed'),
        );
        expect(outcome).toBe(coreAccepts && !reserved ? 'accepted' : 'rejected');
      }),
      { numRuns: 300 },
    );
  });
});

// --- planted symbolic links, on real files ----------------------------------------------------

/**
 * Where the operating system takes a path: every link on the way is followed (the last one only
 * if `followLast`), relative targets from the folder holding the link. `null` for a loop (the
 * call fails with ELOOP and touches nothing). Links resolve to real folders, so `..` in a target
 * can be taken lexically.
 */
function whereItLeads(file: string, followLast: boolean, hops = 0): string | null {
  const parts = file.split(path.sep).filter((part) => part !== '');
  let current = path.parse(file).root;
  for (const [index, part] of parts.entries()) {
    const next = path.join(current, part);
    if (index === parts.length - 1 && !followLast) return next;
    let stats: Stats;
    try {
      stats = lstatSync(next);
    } catch {
      return path.join(next, ...parts.slice(index + 1));
    }
    if (!stats.isSymbolicLink()) {
      current = next;
      continue;
    }
    if (hops >= 40) return null;
    const resolved = whereItLeads(path.resolve(current, readlinkSync(next)), true, hops + 1);
    if (resolved === null) return null;
    current = resolved;
  }
  return current;
}

/**
 * Node's file system, checking before every call that the path it is given leads to a place
 * inside `realRoot` once the operating system has followed the links it would follow for that
 * call. Every call that would leave the root is recorded in `escapes`.
 */
function watchedFs(realRoot: string, escapes: string[]): DiskFs {
  const inside = (place: string | null) =>
    place === null || place === realRoot || place.startsWith(realRoot + path.sep);
  /** Checks where each path leads (the last component followed or not), then makes the call. */
  const via = <T>(call: string, followLast: boolean, files: string[], run: () => T): T => {
    for (const file of files) {
      const place = whereItLeads(file, followLast);
      if (!inside(place)) escapes.push(`${call}(${file}) reaches ${place}`);
    }
    return run();
  };
  const followsLast = (flags: string | number) =>
    typeof flags === 'number' ? (flags & constants.O_NOFOLLOW) === 0 : flags !== 'wx';
  const node = nodePromises as unknown as DiskFs;
  const sync = nodeSync as unknown as DiskSyncFs;
  return {
    open: (file, flags) => via('open', followsLast(flags), [file], () => node.open(file, flags)),
    lstat: (file, options) => via('lstat', false, [file], () => node.lstat(file, options)),
    readdir: (file, options) => via('readdir', true, [file], () => node.readdir(file, options)),
    mkdir: (file) => via('mkdir', false, [file], () => node.mkdir(file)),
    rename: (from, to) => via('rename', false, [from, to], () => node.rename(from, to)),
    link: (from, to) => via('link', false, [from, to], () => node.link(from, to)),
    unlink: (file) => via('unlink', false, [file], () => node.unlink(file)),
    rmdir: (file) => via('rmdir', false, [file], () => node.rmdir(file)),
    realpath: (file) => via('realpath', true, [file], () => nodePromises.realpath(file)),
    sync: {
      openSync: (file, flags) =>
        via('openSync', followsLast(flags), [file], () => sync.openSync(file, flags)),
      lstatSync: (file) => via('lstatSync', false, [file], () => sync.lstatSync(file)),
      mkdirSync: (file) => via('mkdirSync', false, [file], () => sync.mkdirSync(file)),
      linkSync: (from, to) => via('linkSync', false, [from, to], () => sync.linkSync(from, to)),
      unlinkSync: (file) => via('unlinkSync', false, [file], () => sync.unlinkSync(file)),
      writeSync: (...args) => sync.writeSync(...args),
      readSync: (...args) => sync.readSync(...args),
      futimesSync: (...args) => sync.futimesSync(...args),
      fstatSync: (fd) => sync.fstatSync(fd),
      closeSync: (fd) => sync.closeSync(fd),
    },
  };
}

/** The first thing on a key's way that is not a real folder: a link (with its key), or where the way ends. */
function wayTo(realRoot: string, key: string): { link?: string } {
  const parts = key.split('/');
  for (let depth = 1; depth <= parts.length; depth++) {
    const prefix = parts.slice(0, depth).join('/');
    let stats: Stats;
    try {
      stats = lstatSync(path.join(realRoot, ...prefix.split('/')));
    } catch {
      return {};
    }
    if (stats.isSymbolicLink()) return { link: prefix };
    if (!stats.isDirectory()) return {};
  }
  return {};
}

const POSITIONS = [
  'a',
  'a/b',
  'a/b/c',
  'a/d',
  'x',
  'e',
  '.datalake-disk',
  '.datalake-disk/tmp',
  '.datalake-disk/locks',
  '.datalake-disk/attributes',
] as const;
const TARGETS = ['outside folder', 'outside file', 'dangling', 'loop', 'inside folder', 'the root'] as const;
const KEYS = ['a/b/c', 'a/b/c/d', 'a/b/new', 'a/d', 'a/new/k', 'x', 'x/y', 'x/y/z', 'e', 'e/f', 'e/g/h', 'f'];
const PREFIXES = ['', 'a/', 'a/b/', 'a/b/c/', 'x/', 'x', 'e/', 'e/f'];

const plantArb = fc.record({
  at: fc.constantFrom(...POSITIONS),
  target: fc.constantFrom(...TARGETS),
  relative: fc.boolean(),
});
const keyArb = fc.constantFrom(...KEYS);
const operationArb = fc.oneof(
  fc.record({
    kind: fc.constant('put' as const),
    key: keyArb,
    exclusive: fc.boolean(),
    metadata: fc.boolean(),
  }),
  fc.record({ kind: fc.constantFrom('get' as const, 'head' as const, 'delete' as const), key: keyArb }),
  fc.record({
    kind: fc.constant('list' as const),
    prefix: fc.constantFrom(...PREFIXES),
    delimiter: fc.boolean(),
  }),
);
type Operation = typeof operationArb extends fc.Arbitrary<infer T> ? T : never;

describe.each([
  { name: 'synchronous calls', syncCallMaxBytes: undefined, fsync: false },
  { name: 'thread-pool calls only, fsync on', syncCallMaxBytes: 0, fsync: true },
])('containment against planted symbolic links ($name)', ({ syncCallMaxBytes, fsync }) => {
  it('never reads, writes or deletes outside the root, and refuses every key operation through a link', async () => {
    const scratch = await tempRoot();
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(plantArb, { maxLength: 3 }),
        fc.array(operationArb, { minLength: 1, maxLength: 10 }),
        fc.boolean(),
        async (plants, operations, rootIsLink) => {
          const base = path.join(scratch, `run-${run++}`);
          const realRoot = path.join(base, 'lake');
          const outside = path.join(base, 'outside');
          mkdirSync(path.join(outside, 'folder'), { recursive: true });
          writeFileSync(path.join(outside, 'secret.txt'), 'secret');
          writeFileSync(path.join(outside, 'folder', 'inner.txt'), 'inner');
          const seed = new DiskBackend({ root: realRoot, fsync: false });
          await seed.put('a/b/c', new TextEncoder().encode('abc'), { metadata: { m: '1' } });
          await seed.put('a/b/c', new TextEncoder().encode('abc2'), { metadata: { m: '2' } });
          await seed.put('a/d', new TextEncoder().encode('ad'));
          await seed.put('e/f', new TextEncoder().encode('ef'));
          const planted = plantLinks(realRoot, outside, plants);
          const internalLinks = planted.some((at) => at.startsWith('.datalake-disk'));
          const outsideBefore = folderState(outside);

          let root = realRoot;
          if (rootIsLink) {
            root = path.join(base, 'lake-link');
            symlinkSync(realRoot, root);
          }
          const escapes: string[] = [];
          const disk = new DiskBackend({ root, fs: watchedFs(realRoot, escapes), fsync, syncCallMaxBytes });
          for (const operation of operations) {
            const way = operation.kind === 'list' ? {} : wayTo(realRoot, operation.key);
            const outcome = await perform(disk, operation).then(
              (value) => ({ value, error: undefined }),
              (error: unknown) => ({ value: undefined, error }),
            );
            const { error } = outcome;
            if (error !== undefined) {
              const code = (error as { code?: string }).code;
              expect(code, String(error)).toMatch(/^(BACKEND|CONFLICT|PRECONDITION_FAILED)$/);
              if (code === 'BACKEND') expect((error as Error).message).toContain('symbolic link');
            }
            if (way.link !== undefined) {
              expect(
                error,
                `${operation.kind} ${JSON.stringify(operation)} through ${way.link}`,
              ).toBeInstanceOf(BackendError);
            } else if (!internalLinks && error instanceof BackendError) {
              throw new Error(
                `${JSON.stringify(operation)} refused without a link on its way: ${error.message}`,
              );
            }
            if (operation.kind === 'list' && outcome.value) {
              const page = outcome.value as ListPage;
              for (const object of page.objects) expect(wayTo(realRoot, object.key).link).toBeUndefined();
              for (const prefix of page.prefixes)
                expect(wayTo(realRoot, prefix.slice(0, -1)).link).toBeUndefined();
            }
          }
          expect(escapes).toEqual([]);
          expect(folderState(outside)).toEqual(outsideBefore);
          rmSync(base, { recursive: true, force: true });
        },
      ),
      { numRuns: 60 },
    );
    // Sixty trees built and torn down: a hang guard for a loaded machine, not a speed limit.
  }, 600_000);
});

/** Replaces (or adds) the planted paths with links; returns where links were planted. */
function plantLinks(
  realRoot: string,
  outside: string,
  plants: ReadonlyArray<{ at: string; target: (typeof TARGETS)[number]; relative: boolean }>,
): string[] {
  const planted: string[] = [];
  for (const plant of plants) {
    const parts = plant.at.split('/');
    // Never plant through an earlier link (that would plant outside), nor below a missing folder.
    const blocked = parts.slice(0, -1).some((_, index) => {
      const ancestor = path.join(realRoot, ...parts.slice(0, index + 1));
      try {
        const stats = lstatSync(ancestor);
        return stats.isSymbolicLink() || !stats.isDirectory();
      } catch {
        return true;
      }
    });
    if (blocked) continue;
    const link = path.join(realRoot, ...parts);
    const absolute = {
      'outside folder': path.join(outside, 'folder'),
      'outside file': path.join(outside, 'secret.txt'),
      dangling: path.join(outside, 'missing', 'deeper'),
      loop: link,
      'inside folder': path.join(realRoot, 'e'),
      'the root': realRoot,
    }[plant.target];
    const target = plant.relative ? path.relative(path.dirname(link), absolute) || '.' : absolute;
    rmSync(link, { recursive: true, force: true });
    symlinkSync(target, link);
    planted.push(plant.at);
  }
  return planted;
}

function perform(disk: DiskBackend, operation: Operation): Promise<unknown> {
  const body = new TextEncoder().encode('written');
  switch (operation.kind) {
    case 'put':
      return disk.put(operation.key, body, {
        ...(operation.exclusive ? { mode: PutMode.create } : {}),
        ...(operation.metadata ? { metadata: { by: 'test' } } : {}),
      });
    case 'get':
      return disk.get(operation.key).then(async (result) => result && (await collectBody(result.body)));
    case 'head':
      return disk.head(operation.key);
    case 'delete':
      return disk.delete(operation.key);
    case 'list':
      return disk.list(operation.prefix, operation.delimiter ? { delimiter: '/' } : {});
  }
}
