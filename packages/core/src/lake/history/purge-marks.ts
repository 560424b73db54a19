import type { StorageBackend } from '@datalake/model';
import { PreconditionFailedError, PutMode, VERSIONS_PURGING_PREFIX } from '@datalake/model';

/**
 * `.versions/purging/<sha256>`: a retention run is about to remove that blob. The run writes the
 * mark, then checks afresh that no record names the content, deletes the blob and removes the
 * mark. A writer that keeps that content checks for the mark once the blob is there: with the
 * mark present it waits for the run to finish and keeps the content again (the blob may be gone).
 * Either the run's fresh check sees the writer's entry, or the writer sees the mark.
 */
export const PURGING_PREFIX = VERSIONS_PURGING_PREFIX;

export function purgingKey(sha256: string): string {
  return `${PURGING_PREFIX}${sha256}`;
}

const encoder = new TextEncoder();

export async function markPurging(backend: StorageBackend, sha256: string): Promise<void> {
  const body = encoder.encode(JSON.stringify({ format: 1, at: new Date().toISOString() }));
  try {
    await backend.put(purgingKey(sha256), body, { mode: PutMode.create });
  } catch (error) {
    // Left by an interrupted run: this run takes it over.
    if (!(error instanceof PreconditionFailedError)) throw error;
    await backend.put(purgingKey(sha256), body);
  }
}

export async function unmarkPurging(backend: StorageBackend, sha256: string): Promise<void> {
  await backend.delete(purgingKey(sha256));
}

/**
 * Waits while a retention run has content `sha256` marked for removal; `true` when there was a
 * mark (the caller keeps the content again). A mark older than `staleMs` was left by a run that
 * is gone: it is removed.
 */
export async function waitWhilePurging(
  backend: StorageBackend,
  sha256: string,
  staleMs: number,
): Promise<boolean> {
  let seen = false;
  for (let attempt = 0; ; attempt++) {
    const mark = await backend.head(purgingKey(sha256));
    if (!mark) return seen;
    seen = true;
    if (Date.now() - mark.lastModified.getTime() > staleMs) {
      await backend.delete(purgingKey(sha256), { ifMatch: mark.etag }).catch(() => undefined);
      continue;
    }
    await new Promise((resolve) => setTimeout(resolve, Math.min(200, 5 * 2 ** attempt)));
  }
}
