import { ConflictError, type Entry, type Lake, NotFoundError, type StoreInput } from '@datalake/core';

export type ReconciledStore =
  /** This call stored the entry. */
  | { action: 'store'; entry: Entry }
  /** Another writer stored the same content at the path meanwhile: nothing left to do. */
  | { action: 'concurrent'; entry: Entry }
  /** Another writer stored other content of the same source file there; it was updated to ours. */
  | { action: 'update'; entry: Entry };

export interface ReconcileOptions {
  /** SHA-256 of the content being stored. */
  sha256: string;
  /** Whether an entry found at the path was made from the same source file as this content. */
  isSameSource: (entry: Entry) => boolean;
  /** Replaces the content (and metadata) of such an entry with ours. */
  update: (entry: Entry) => Promise<Entry>;
  /** How long to wait for another writer's unfinished store of the path. Default one minute. */
  patienceMs?: number;
}

const DEFAULT_PATIENCE_MS = 60_000;
/**
 * Conflicts that say the path's holder is in flux (a store or delete under way): worth looking again.
 * Any other conflict (the path is a folder of other entries, say) would be the same on every attempt.
 */
const IN_FLUX = /being stored by another writer|being freed by a delete|already taken/;

/**
 * Stores an entry at a path that another writer, such as a second ingest of the same tree, may be
 * storing at the same time. A `ConflictError` is a failure only once the entry now at the path has
 * been looked at: the same bytes are no failure (`concurrent`), other bytes of the same source file
 * are an update, and an unfinished store of another live writer is waited for (with backoff, for
 * `patienceMs` at most) and looked at again. `input` is called for each attempt (a stream is read once).
 */
export async function storeReconciling(
  lake: Lake,
  input: () => StoreInput,
  filePath: string,
  options: ReconcileOptions,
): Promise<ReconciledStore> {
  const deadline = Date.now() + (options.patienceMs ?? DEFAULT_PATIENCE_MS);
  for (let attempt = 0; ; attempt++) {
    let conflict: ConflictError;
    try {
      return { action: 'store', entry: await lake.store(input()) };
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
      conflict = error;
    }
    const holder = await entryAt(lake, filePath);
    if (holder) {
      if (holder.sha256 === options.sha256) return { action: 'concurrent', entry: holder };
      if (options.isSameSource(holder)) return { action: 'update', entry: await options.update(holder) };
      throw conflict;
    }
    if (!IN_FLUX.test(conflict.message) || Date.now() >= deadline) throw conflict;
    await pause(attempt);
  }
}

async function entryAt(lake: Lake, filePath: string): Promise<Entry | undefined> {
  try {
    return await lake.getEntryByPath(filePath);
  } catch (error) {
    if (error instanceof NotFoundError) return undefined;
    throw error;
  }
}

/** Randomised exponential backoff: 25 ms doubling up to 2 s. */
function pause(attempt: number): Promise<void> {
  const ms = Math.min(2000, 25 * 2 ** attempt) * (0.5 + Math.random());
  return new Promise((resolve) => setTimeout(resolve, ms));
}
