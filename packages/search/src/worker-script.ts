import { existsSync } from 'node:fs';

/** How to start a worker thread of the search (see `WorkerSegmentBuilder` and `RegexWorker`). */
export interface WorkerScript {
  url: URL;
  workerData?: unknown;
}

/**
 * The index worker's script, built next to this module (`index-worker.js` in the package's dist).
 * Undefined when the package runs from its TypeScript sources: indexing then stays on this thread.
 */
export function indexWorkerScript(): WorkerScript | undefined {
  return builtScript('./index-worker.js');
}

/**
 * The regex worker's script (`regex-worker.js` in the package's dist). Undefined when the package
 * runs from its TypeScript sources: regular expressions then run on this thread, without a deadline.
 */
export function regexWorkerScript(): WorkerScript | undefined {
  return builtScript('./regex-worker.js');
}

function builtScript(path: string): WorkerScript | undefined {
  const url = new URL(path, import.meta.url);
  return existsSync(url) ? { url } : undefined;
}
