// A stand-in for the index worker that analyses documents like the real one (progress included) but
// dies, as if out of memory, on a document whose content contains "POISON".
import { workerData } from 'node:worker_threads';
import { ANALYSED, type ToWorker } from '../../src/worker-builder.js';

const progress = new Int32Array((workerData as { progress: SharedArrayBuffer }).progress);
const poison = Buffer.from('POISON');

(await import('node:worker_threads')).parentPort?.on('message', (message: ToWorker) => {
  if (message.type !== 'add') return;
  for (const doc of message.docs) {
    if (Buffer.from(doc.content).includes(poison)) process.exit(134);
    Atomics.add(progress, ANALYSED, 1);
  }
});
