import { readFileSync } from 'node:fs';

/**
 * CPU time (user + system, ms) used so far by this process's finished child processes, or
 * `undefined` where the platform does not say (Linux only: the `cutime` and `cstime` fields of
 * `/proc/self/stat`). Child processes count once they have exited and been waited for, which
 * `runProcess` does before it resolves.
 */
export function finishedChildrenCpuMs(): number | undefined {
  let stat: string;
  try {
    stat = readFileSync('/proc/self/stat', 'utf8');
  } catch {
    return undefined;
  }
  // The command name (field 2) is in parentheses and may hold spaces: count fields after it.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // Fields 16 (cutime) and 17 (cstime) of proc(5), here at indexes 13 and 14 (fields start at 3).
  const ticks = Number(fields[13]) + Number(fields[14]);
  return Number.isFinite(ticks) ? (ticks * 1000) / CLOCK_TICKS_PER_SECOND : undefined;
}

/** `sysconf(_SC_CLK_TCK)`: 100 on every Linux a bench runs on. */
const CLOCK_TICKS_PER_SECOND = 100;

/** Wall time of `action` (ms) and the CPU time its child processes used (ms, when known). */
export async function timeChildren(
  action: () => Promise<unknown>,
): Promise<{ wallMs: number; cpuMs?: number }> {
  const cpuBefore = finishedChildrenCpuMs();
  const start = performance.now();
  await action();
  const wallMs = performance.now() - start;
  const cpuAfter = finishedChildrenCpuMs();
  return cpuBefore === undefined || cpuAfter === undefined
    ? { wallMs }
    : { wallMs, cpuMs: cpuAfter - cpuBefore };
}
