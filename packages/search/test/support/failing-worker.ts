// A stand-in for the index worker that dies on the first document it is sent.
import { parentPort } from 'node:worker_threads';

parentPort?.on('message', () => {
  throw new Error('analysis crashed');
});
