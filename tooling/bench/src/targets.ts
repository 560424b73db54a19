import { type Measurement, median } from './measure.js';

/** A goal from an issue, checked against the median of a measurement (and of its baseline). */
export interface TargetSpec {
  /** How the goal reads in the table, e.g. `≤ 5 ms`. */
  label: string;
  /** Whether the goal is met; `undefined` when it cannot be judged (no baseline measured). */
  test(result: Measurement, baseline: Measurement | undefined): boolean | undefined;
}

/** The median call takes at most `ms` milliseconds. */
export function latencyAtMost(ms: number): TargetSpec {
  return {
    label: `≤ ${ms >= 1000 ? `${ms / 1000} s` : `${ms} ms`}`,
    test: (result) => median(result) <= ms,
  };
}

/** The median rate is at least `fraction` of the baseline's median rate. */
export function rateRatioAtLeast(
  fraction: number,
  label = `≥ ${Math.round(fraction * 100)}% of baseline`,
): TargetSpec {
  return {
    label,
    test: (result, baseline) => (baseline ? median(result) / median(baseline) >= fraction : undefined),
  };
}

/** The median latency is at most `factor` times the baseline's median latency. */
export function latencyRatioAtMost(factor: number): TargetSpec {
  return {
    label: `≤ ${factor}× baseline`,
    test: (result, baseline) => (baseline ? median(result) / median(baseline) <= factor : undefined),
  };
}

/** The median peak memory is at most `mib` MiB. */
export function memoryAtMost(mib: number): TargetSpec {
  return { label: `< ${mib} MiB`, test: (result) => median(result) < mib };
}
