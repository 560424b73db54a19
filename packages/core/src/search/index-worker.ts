// The index worker thread: analyses the documents `WorkerSegmentBuilder` hands over and returns
// encoded segments. An exception ends the thread; the builder then reports the failure.
import { parentPort } from 'node:worker_threads';
import { TextFolder } from './document.js';
import { SegmentBuilder } from './segment-builder.js';
import { TrigramCollector } from './trigrams.js';
import type { FromWorker, ToWorker } from './worker-builder.js';

const port = parentPort;
if (!port) throw new Error('index-worker runs on a worker thread');
const folder = new TextFolder();
const collector = new TrigramCollector();
let builder = new SegmentBuilder();

port.on('message', (message: ToWorker) => {
  if (message.type === 'add') {
    for (const doc of message.docs) builder.add(doc, folder.fold(doc, doc.content), collector);
    return;
  }
  const bytes = builder.encode();
  builder = new SegmentBuilder();
  const reply: FromWorker = { type: 'encoded', bytes };
  port.postMessage(reply, [bytes.buffer as ArrayBuffer]);
});
