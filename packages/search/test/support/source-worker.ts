import type { WorkerScript } from '../../src/worker-script.js';

/** The index worker run from its TypeScript source (through tsx), as the built package runs `index-worker.js`. */
export function sourceWorkerScript(script = '../../src/index-worker.ts'): WorkerScript {
  return {
    url: new URL('./ts-worker.mjs', import.meta.url),
    workerData: { script: new URL(script, import.meta.url).href },
  };
}
