// Starts a worker thread on a TypeScript module (`workerData.script`), so tests can run the index
// worker from the package's sources.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.script);
