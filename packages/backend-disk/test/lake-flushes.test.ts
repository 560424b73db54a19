import { DataLake, DataType } from '@datalake/core';
import { describe, expect, it } from 'vitest';
import { DiskBackend, type DiskFs } from '../src/index.js';
import { nodeFs, tempRoot } from './helpers.js';

/** Node's file system, counting data flushes (fdatasync of files and folders) and renames/links. */
function countingFs(): { fs: DiskFs; counts: { datasync: number; placed: number } } {
  const inner = nodeFs();
  const counts = { datasync: 0, placed: 0 };
  return {
    fs: {
      ...inner,
      async open(file, flags) {
        const handle = await inner.open(file, flags);
        return Object.assign(Object.create(handle) as typeof handle, {
          datasync: () => {
            counts.datasync++;
            return handle.datasync();
          },
        });
      },
      rename: (from, to) => {
        counts.placed++;
        return inner.rename(from, to);
      },
      link: (from, to) => {
        counts.placed++;
        return inner.link(from, to);
      },
    },
    counts,
  };
}

const content = (i: number) => `entry ${i}\n`.repeat(400);

describe('durable stores on disk (fsync on)', () => {
  it('cost one data flush each, one at a time, and share flushes when many are in flight', async () => {
    const { fs, counts } = countingFs();
    const lake = await DataLake.open(new DiskBackend({ root: await tempRoot(), fs }), { onNotice: () => {} });
    try {
      await lake.store({ name: 'warm-up.txt', content: 'x', dataType: DataType.OTHER });
      const before = counts.datasync;
      for (let i = 0; i < 10; i++)
        await lake.store({ name: `${i}.txt`, content: content(i), dataType: DataType.OTHER, subpath: 'one' });
      expect(counts.datasync - before).toBe(10);

      const beforeMany = counts.datasync;
      const stored = await Promise.all(
        Array.from({ length: 32 }, (_, i) =>
          lake.store({ name: `${i}.txt`, content: content(i), dataType: DataType.OTHER, subpath: 'many' }),
        ),
      );
      expect(counts.datasync - beforeMany).toBeLessThan(32);
      for (const [i, entry] of stored.entries())
        expect(new TextDecoder().decode(await lake.readBytes(entry.id))).toBe(content(i));
    } finally {
      await lake.close();
    }
  });
});
