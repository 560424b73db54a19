import path from 'node:path';
import { ValidationError } from '@datalake/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DiskBackend, type DiskFs } from '../src/index.js';
import { memoryVolume } from './helpers.js';

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
    readFile: (file) => note([file], () => inner.readFile(file)),
    mkdir: (file) => note([file], () => inner.mkdir(file)),
    rename: (from, to) => note([from, to], () => inner.rename(from, to)),
    link: (from, to) => note([from, to], () => inner.link(from, to)),
    unlink: (file) => note([file], () => inner.unlink(file)),
    rmdir: (file) => note([file], () => inner.rmdir(file)),
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
          () => disk.put(key, new Uint8Array(), { ifNoneMatch: '*' }),
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
