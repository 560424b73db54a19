// The index worker thread: analyses the documents `WorkerSegmentBuilder` hands over and returns
// encoded segments. A document whose analysis throws is recorded as failed; should the thread die
// (out of memory), the progress it shares tells the builder which document it was analysing.
import { parentPort, workerData } from 'node:worker_threads';
import { Analyser } from './analysis.js';
import { SegmentBuilder } from './segment-builder.js';
import { ANALYSED, ANALYSING, ENCODING, type FromWorker, PHASE, type ToWorker } from './worker-builder.js';

const port = parentPort;
if (!port) throw new Error('index-worker runs on a worker thread');
const progress = new Int32Array((workerData as { progress: SharedArrayBuffer }).progress);
const analyser = new Analyser();
let builder = new SegmentBuilder();

port.on('message', (message: ToWorker) => {
  if (message.type === 'add') {
    for (const doc of message.docs) {
      analyser.add(builder, doc, doc.content, doc.state);
      Atomics.add(progress, ANALYSED, 1);
    }
    return;
  }
  Atomics.store(progress, PHASE, ENCODING);
  const bytes = builder.encode();
  builder = new SegmentBuilder();
  const reply: FromWorker = { type: 'encoded', bytes };
  Atomics.store(progress, ANALYSED, 0);
  Atomics.store(progress, PHASE, ANALYSING);
  port.postMessage(reply, [bytes.buffer as ArrayBuffer]);
});
