import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MERGE_LIMIT_BYTES, mergeGroup } from '../src/merge-policy.js';

interface FakeSegment {
  textBytes: number;
  /** How many merges the bytes of this segment went through (the most of any of its parts). */
  merges: number;
}

/** Flushes `flushes` segments one by one, merging after each as the policy says, like `SearchIndex`. */
function simulate(flushes: number, flushBytes: number, factor: number) {
  let segments: FakeSegment[] = [];
  let mergedBytes = 0;
  for (let i = 0; i < flushes; i++) {
    segments.push({ textBytes: flushBytes, merges: 0 });
    for (;;) {
      const group = mergeGroup(segments, (segment) => segment.textBytes, flushBytes, factor);
      if (!group) break;
      expect(new Set(group).size).toBe(group.length);
      const textBytes = group.reduce((sum, segment) => sum + segment.textBytes, 0);
      mergedBytes += textBytes;
      segments = segments.filter((segment) => !group.includes(segment));
      segments.push({ textBytes, merges: Math.max(...group.map((segment) => segment.merges)) + 1 });
    }
  }
  return { segments, mergedBytes };
}

describe('tiered merge policy', () => {
  it('merges every byte a logarithmic number of times and keeps few segments', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 400 }),
        fc.integer({ min: 2, max: 8 }),
        fc.constantFrom(1 << 20, 4 << 20, 16 << 20, 64 << 20),
        (flushes, factor, flushBytes) => {
          const { segments, mergedBytes } = simulate(flushes, flushBytes, factor);
          const total = flushes * flushBytes;
          // Tiers below the limit: segments of factor^t flushes are merged into ones of factor^(t + 1).
          const tiers = Math.floor(Math.log(MERGE_LIMIT_BYTES / flushBytes) / Math.log(factor) + 1e-9);
          expect(segments.reduce((sum, segment) => sum + segment.textBytes, 0)).toBe(total);
          for (const segment of segments) expect(segment.merges).toBeLessThanOrEqual(tiers);
          expect(mergedBytes).toBeLessThanOrEqual(total * tiers);
          // Fewer than `factor` segments per tier below the last, plus those of the last tier.
          expect(segments.length).toBeLessThanOrEqual(
            (factor - 1) * tiers + Math.floor(flushes / factor ** tiers),
          );
        },
      ),
    );
  });

  it('does not merge the newest small segment into a large one at every flush', () => {
    const { mergedBytes } = simulate(64, 16 << 20, 4);
    // The former policy rewrote a large segment at each flush past the limit: far more than this.
    expect(mergedBytes).toBeLessThanOrEqual(2 * 64 * (16 << 20));
  });

  it('merges a large segment again once updates and deletes shrank its live text', () => {
    const big = { live: MERGE_LIMIT_BYTES };
    const smalls = [1, 2, 3].map(() => ({ live: 1 << 20 }));
    expect(mergeGroup([big, ...smalls], (s) => s.live, 1 << 20, 4)).toBeUndefined();
    big.live = 1 << 19;
    expect(mergeGroup([big, ...smalls], (s) => s.live, 1 << 20, 4)?.length).toBe(4);
  });
});
