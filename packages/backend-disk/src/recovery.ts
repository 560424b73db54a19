import path from 'node:path';
import type { DiskFs } from './disk-fs.js';
import { isMissing } from './disk-fs.js';
import { mtimeNanoseconds } from './etag.js';
import type { DiskLayout } from './layout.js';
import type { KeyLocks } from './lock.js';
import { ownerMayBeAlive, ownerOfTempFile } from './owner.js';
import { mapWithConcurrency } from './pool.js';

export interface RecoveryReport {
  removedTempFiles: number;
  brokenLocks: number;
}

/**
 * Cleans up after writers that died: temp files whose writer process is gone (or that are older
 * than `tempMaxAgeMs`, for writers on other hosts) are removed, and abandoned locks are broken.
 * Objects themselves never need repair: a write only becomes visible by an atomic rename or link.
 */
export async function recoverLeftovers(
  fs: DiskFs,
  layout: DiskLayout,
  locks: KeyLocks,
  tempMaxAgeMs: number,
): Promise<RecoveryReport> {
  const report: RecoveryReport = { removedTempFiles: 0, brokenLocks: 0 };
  const temps = await fileNames(fs, layout.tempDir);
  await mapWithConcurrency(temps, 16, async (name) => {
    const file = path.join(layout.tempDir, name);
    if (await isAbandonedTemp(fs, file, name, tempMaxAgeMs)) {
      await fs.unlink(file).catch(ignoreMissing);
      report.removedTempFiles++;
    }
  });
  const lockFiles = await fileNames(fs, layout.lockDir);
  await mapWithConcurrency(lockFiles, 16, async (name) => {
    const file = path.join(layout.lockDir, name);
    if (name.endsWith('.broken')) {
      // Set aside by a lock breaker that died before removing it.
      if (await olderThan(fs, file, 60_000)) await fs.unlink(file).catch(ignoreMissing);
      return;
    }
    const present = await fs.lstat(file, { bigint: true }).then(
      () => true,
      () => false,
    );
    if (present && (await locks.breakIfAbandoned(file))) report.brokenLocks++;
  });
  return report;
}

async function isAbandonedTemp(fs: DiskFs, file: string, name: string, maxAgeMs: number): Promise<boolean> {
  const owner = ownerOfTempFile(name);
  if (owner && !ownerMayBeAlive(owner)) return true;
  return olderThan(fs, file, maxAgeMs);
}

async function olderThan(fs: DiskFs, file: string, ageMs: number): Promise<boolean> {
  try {
    const stats = await fs.lstat(file, { bigint: true });
    // Temp files carry the stamp of their write; a torn one keeps the time the writer last touched it.
    return Date.now() - Number(mtimeNanoseconds(stats) / 1_000_000n) > ageMs;
  } catch (error) {
    ignoreMissing(error);
    return false;
  }
}

async function fileNames(fs: DiskFs, folder: string): Promise<string[]> {
  try {
    const entries = await fs.readdir(folder, { withFileTypes: true });
    return entries.flatMap((entry) => {
      if (typeof entry === 'string' || entry instanceof Uint8Array || !entry.isFile()) return [];
      return [typeof entry.name === 'string' ? entry.name : new TextDecoder().decode(entry.name)];
    });
  } catch (error) {
    if (isMissing(error)) return [];
    throw error;
  }
}

function ignoreMissing(error: unknown): void {
  if (!isMissing(error)) throw error;
}
