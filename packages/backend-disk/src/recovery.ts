import path from 'node:path';
import { type FolderGuard, LinkInTheWay } from './containment.js';
import type { DiskFs } from './disk-fs.js';
import { errorCode, isMissing } from './disk-fs.js';
import { mtimeNanoseconds } from './etag.js';
import { type DiskLayout, LOCK_FOLDER, TEMP_FOLDER } from './layout.js';
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
 * On a lake that cannot be written (read-only mount, no write permission) the leftovers stay: they
 * are never visible, and the lake is still read.
 */
export async function recoverLeftovers(
  fs: DiskFs,
  layout: DiskLayout,
  guard: FolderGuard,
  locks: KeyLocks,
  tempMaxAgeMs: number,
): Promise<RecoveryReport> {
  const report: RecoveryReport = { removedTempFiles: 0, brokenLocks: 0 };
  const temps = (await usable(guard, TEMP_FOLDER)) ? await fileNames(fs, layout.tempDir) : [];
  await mapWithConcurrency(temps, 16, async (name) => {
    const file = path.join(layout.tempDir, name);
    if (await isAbandonedTemp(fs, file, name, tempMaxAgeMs)) {
      if (await fs.unlink(file).then(() => true, ignoreUnremovable)) report.removedTempFiles++;
    }
  });
  const lockFiles = (await usable(guard, LOCK_FOLDER)) ? await fileNames(fs, layout.lockDir) : [];
  await mapWithConcurrency(lockFiles, 16, async (name) => {
    const file = path.join(layout.lockDir, name);
    if (name.endsWith('.broken')) {
      // Set aside by a lock breaker that died before removing it.
      if (await olderThan(fs, file, 60_000)) await fs.unlink(file).catch(ignoreUnremovable);
      return;
    }
    const present = await fs.lstat(file, { bigint: true }).then(
      () => true,
      () => false,
    );
    try {
      if (present && (await locks.breakIfAbandoned(file))) report.brokenLocks++;
    } catch (error) {
      ignoreUnremovable(error);
    }
  });
  return report;
}

/**
 * Whether an internal folder exists and is reached without a symbolic link. A linked one is left
 * alone: reads do not need it, and the writes that do refuse it with a clear error.
 */
async function usable(guard: FolderGuard, folderKey: string): Promise<boolean> {
  try {
    return (await guard.check(folderKey)) === 'present';
  } catch (error) {
    if (error instanceof LinkInTheWay) return false;
    throw error;
  }
}

/** Codes with which a file system refuses to remove a file it will never let us change. */
const UNCHANGEABLE = new Set(['EROFS', 'EACCES', 'EPERM']);

/** `false` for a file that is gone already or cannot be removed here; any other failure is thrown. */
function ignoreUnremovable(error: unknown): false {
  const code = errorCode(error);
  if (isMissing(error) || (code !== undefined && UNCHANGEABLE.has(code))) return false;
  throw error;
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
