/** Timing primitives. Every figure the bench prints comes from one of these. */

/** A set of repeated observations of one quantity. */
export interface Measurement {
  /**
   * `rate`: operations per second per repeat (higher is better); `latency`: milliseconds per call;
   * `memory`: MiB (lower is better).
   */
  kind: 'rate' | 'latency' | 'memory';
  samples: number[];
}

export interface Spread {
  min: number;
  median: number;
  max: number;
}

export function spread(samples: readonly number[]): Spread {
  if (samples.length === 0) return { min: Number.NaN, median: Number.NaN, max: Number.NaN };
  const sorted = [...samples].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const median =
    sorted.length % 2 === 1
      ? (sorted[middle] as number)
      : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
  return { min: sorted[0] as number, median, max: sorted[sorted.length - 1] as number };
}

export function median(measurement: Measurement): number {
  return spread(measurement.samples).median;
}

/** Milliseconds since an arbitrary origin, with sub-microsecond resolution. */
export function now(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

/** Wall time of one call, in milliseconds. */
export async function timeMs(action: () => Promise<unknown>): Promise<number> {
  const start = now();
  await action();
  return now() - start;
}

/** Calls `action(i)` for i in [0, calls), timing each call separately. */
export async function latency(calls: number, action: (i: number) => Promise<unknown>): Promise<Measurement> {
  const samples: number[] = [];
  for (let i = 0; i < calls; i++) {
    const start = now();
    await action(i);
    samples.push(now() - start);
  }
  return { kind: 'latency', samples };
}

/**
 * Runs `total` sequential operations split into `batches` consecutive batches and records the
 * rate of each batch, so one pass over N items still shows the run's noise.
 */
export async function rate(
  total: number,
  batches: number,
  action: (i: number) => Promise<unknown>,
): Promise<Measurement> {
  const samples: number[] = [];
  const batchCount = Math.max(1, Math.min(batches, total));
  let next = 0;
  for (let batch = 0; batch < batchCount; batch++) {
    const end = Math.round(((batch + 1) * total) / batchCount);
    const start = now();
    const first = next;
    for (; next < end; next++) await action(next);
    samples.push(((end - first) * 1000) / (now() - start));
  }
  return { kind: 'rate', samples };
}

/** Asks V8 to collect garbage between phases when node runs with --expose-gc (the bench script does). */
export function collectGarbage(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
}
