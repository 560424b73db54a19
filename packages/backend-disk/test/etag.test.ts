import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mtimeResolution, objectStat, WriteClock } from '../src/etag.js';

describe('write stamps and etags', () => {
  it('hands out strictly increasing stamps at the file system resolution, even within one tick', () => {
    for (const resolution of [1_000n, 1_000_000n, 1_000_000_000n]) {
      const clock = new WriteClock(resolution);
      let previous = 0n;
      for (let i = 0; i < 2_000; i++) {
        const stamp = clock.next();
        expect(stamp % resolution).toBe(0n);
        expect(stamp > previous).toBe(true);
        previous = stamp;
      }
    }
  });

  it('tells apart versions that differ only in inode, time or size', () => {
    const stats = (ino: number, mtimeNs: bigint, size: number) => ({
      ino: BigInt(ino),
      mtimeNs,
      mtimeMs: mtimeNs / 1_000_000n,
      size: BigInt(size),
      isFile: () => true,
      isDirectory: () => false,
    });
    const base = objectStat(stats(7, 1_700_000_000_123_456_789n, 10));
    expect(base).toMatchObject({ size: 10, lastModified: new Date(1_700_000_000_123) });
    expect(objectStat(stats(8, 1_700_000_000_123_456_789n, 10)).etag).not.toBe(base.etag);
    expect(objectStat(stats(7, 1_700_000_000_123_457_789n, 10)).etag).not.toBe(base.etag);
    expect(objectStat(stats(7, 1_700_000_000_123_456_789n, 11)).etag).not.toBe(base.etag);
    // Plain (number) stats give the same etag as bigint ones: both carry exact microseconds.
    expect(
      objectStat({
        ino: 7,
        mtimeMs: 1_700_000_000_123.457,
        size: 10,
      }).etag,
    ).toBe(objectStat(stats(7, 1_700_000_000_123_457_000n, 10)).etag);
    // Stats without nanoseconds (plain number stats) fall back to milliseconds.
    expect(
      objectStat({
        ino: 7,
        mtimeMs: 1_700_000_000_123,
        size: 10,
      }),
    ).toMatchObject({ size: 10, lastModified: new Date(1_700_000_000_123) });
  });

  it('gives plain and bigint stats of one version the same etag and time (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 2 ** 40 }),
        fc.bigInt({ min: 0n, max: 4_000_000_000_000_000n }),
        fc.integer({ min: 0, max: 2 ** 40 }),
        (ino, microseconds, size) => {
          const bigintStats = {
            ino: BigInt(ino),
            mtimeNs: microseconds * 1000n,
            mtimeMs: microseconds / 1000n,
            size: BigInt(size),
            isFile: () => true,
            isDirectory: () => false,
          };
          // What a plain stat carries: milliseconds with the microseconds as a fraction.
          const plainStats = {
            ...bigintStats,
            mtimeNs: undefined,
            ino,
            size,
            mtimeMs: Number(microseconds) / 1000,
          };
          const plain = objectStat(plainStats);
          const exact = objectStat(bigintStats);
          expect(plain.etag).toBe(exact.etag);
          expect(plain.lastModified.getTime()).toBe(exact.lastModified.getTime());
        },
      ),
    );
  });

  it('measures the timestamp resolution a file system keeps', () => {
    const probe = 1_700_000_000_123_456_000n;
    expect(mtimeResolution(probe, probe + 119n)).toBe(1_000n);
    expect(mtimeResolution(probe, 1_700_000_000_123_000_000n)).toBe(1_000_000n);
    expect(mtimeResolution(probe, 1_700_000_000_000_000_000n)).toBe(1_000_000_000n);
    expect(mtimeResolution(probe, 1_699_999_998_000_000_000n)).toBe(2_000_000_000n);
  });
});
