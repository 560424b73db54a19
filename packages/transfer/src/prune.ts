import type { Entry, Lake } from '@datalake/core';
import type { Pool } from './pool.js';

/**
 * Deletes from `target` the entries the source does not hold (a copy's `prune`), through `pool`;
 * counts what went in `report.pruned` and hands each failure to `fail`.
 */
export async function pruneExtra(
  pool: Pool,
  target: Lake,
  extra: Iterable<Entry>,
  report: { pruned: number },
  fail: (filePath: string, error: unknown) => void,
  step: (size: number) => void,
): Promise<void> {
  for (const entry of extra) {
    await pool.run(async () => {
      try {
        if (await target.delete(entry.id)) report.pruned++;
      } catch (error) {
        fail(entry.filePath, error);
      }
      step(0);
    });
  }
  await pool.drain();
}
