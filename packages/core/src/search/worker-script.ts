import { existsSync } from 'node:fs';

/** How to start the index worker thread (see `WorkerSegmentBuilder`). */
export interface WorkerScript {
  url: URL;
  workerData?: unknown;
}

/**
 * The index worker's script, built next to this module (`index-worker.js` in the package's dist).
 * Undefined when the package runs from its TypeScript sources: indexing then stays on this thread.
 */
export function indexWorkerScript(): WorkerScript | undefined {
  const url = new URL('./index-worker.js', import.meta.url);
  return existsSync(url) ? { url } : undefined;
}
