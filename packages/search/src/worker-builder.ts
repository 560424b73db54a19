import { Worker } from 'node:worker_threads';
import type { Entry } from '@datalake/model';
import type { DocState } from './segment-docs.js';
import { indexWorkerScript, type WorkerScript } from './worker-script.js';

/** What the worker reads of an entry (see `Analyser`), with its content and how to index it. */
export interface WorkerDocument {
  id: string;
  sha256: string;
  name: string;
  metadata: Entry['metadata'];
  content: Uint8Array;
  state: Exclude<DocState, 'failed'>;
}

export type ToWorker = { type: 'add'; docs: WorkerDocument[] } | { type: 'encode' };
export type FromWorker = { type: 'encoded'; bytes: Uint8Array };

/**
 * The worker's progress, shared with it: at `ANALYSED`, documents analysed since its last segment;
 * at `PHASE`, `ANALYSING` or `ENCODING`. After a crash they tell which document it died on.
 */
export const ANALYSED = 0;
export const PHASE = 1;
export const ANALYSING = 0;
export const ENCODING = 1;

/** An entry's content as handed to the worker. */
export interface DocKey {
  id: string;
  sha256: string;
}

/** The documents a dead worker took with it: the one it died analysing, if known, and the rest. */
export interface LostDocuments {
  culprit: DocKey | undefined;
  others: DocKey[];
}

/** Queued documents go to the worker once this many content bytes wait, or at the next turn of the event loop. */
const BATCH_BYTES = 1 << 20;

interface Waiter {
  resolve: (bytes: Uint8Array) => void;
  reject: (error: Error) => void;
  /** Documents of the segment on its way. */
  docs: number;
}

/**
 * Builds segments on a worker thread: documents are handed over as they are stored and analysed
 * there (case folding, trigrams, words) while this thread goes on with its work; `take` returns
 * the encoded segment of every document handed over since the last `take`. Contents are copied on
 * hand-over, so callers keep theirs. Once the worker fails, every `take` rejects with that failure
 * and `lost` tells which documents went with it.
 */
export class WorkerSegmentBuilder {
  /** Documents handed over since the last `take`. */
  pendingDocs = 0;
  /** Content bytes handed over since the last `take`. */
  pendingBytes = 0;
  private queue: WorkerDocument[] = [];
  private transfer: ArrayBuffer[] = [];
  private queuedBytes = 0;
  private sendScheduled = false;
  private readonly waiting: Waiter[] = [];
  /** Every document handed over and not yet in a segment received, in the order the worker takes them. */
  private inFlight: DocKey[] = [];
  private failure: Error | undefined;

  private constructor(
    private readonly worker: Worker,
    private readonly progress: Int32Array,
  ) {
    // An idle worker does not keep the process alive; `take` holds it while a segment is on its way.
    worker.unref();
    worker.on('message', (message: FromWorker) => {
      const waiter = this.waiting.shift();
      if (waiter) this.inFlight = this.inFlight.slice(waiter.docs);
      waiter?.resolve(message.bytes);
      this.releaseIfIdle();
    });
    worker.on('error', (error) => this.fail(error));
    worker.on('exit', (code) => this.fail(new Error(`the index worker stopped (exit code ${code})`)));
  }

  /** Starts the worker; undefined when its script is not available (see `indexWorkerScript`). */
  static start(script: WorkerScript | undefined = indexWorkerScript()): WorkerSegmentBuilder | undefined {
    if (!script) return undefined;
    const progress = new SharedArrayBuffer(2 * Int32Array.BYTES_PER_ELEMENT);
    const workerData = { ...(script.workerData as object | undefined), progress };
    return new WorkerSegmentBuilder(new Worker(script.url, { workerData }), new Int32Array(progress));
  }

  get failed(): boolean {
    return this.failure !== undefined;
  }

  add(entry: Entry, content: Uint8Array, state: WorkerDocument['state']): void {
    if (this.failure) return;
    const copy = new Uint8Array(content);
    const { id, sha256, name, metadata } = entry;
    this.queue.push({ id, sha256, name, metadata, content: copy, state });
    this.transfer.push(copy.buffer);
    this.inFlight.push({ id, sha256 });
    this.pendingDocs++;
    this.pendingBytes += copy.byteLength;
    this.queuedBytes += copy.byteLength;
    if (this.queuedBytes >= BATCH_BYTES) this.send();
    else if (!this.sendScheduled) {
      this.sendScheduled = true;
      setImmediate(() => this.send());
    }
  }

  /** The encoded segment of the documents handed over since the last call (call only when there are some). */
  take(): Promise<Uint8Array> {
    if (this.failure) return Promise.reject(this.failure);
    this.send();
    const docs = this.pendingDocs;
    this.pendingDocs = 0;
    this.pendingBytes = 0;
    const segment = new Promise<Uint8Array>((resolve, reject) =>
      this.waiting.push({ resolve, reject, docs }),
    );
    this.worker.ref();
    this.worker.postMessage({ type: 'encode' } satisfies ToWorker);
    return segment;
  }

  /**
   * After a failure, once: the documents the worker had not returned in a segment. The one it was
   * analysing when it died is the `culprit` (undefined when it died between documents or encoding).
   */
  lost(): LostDocuments {
    const analysed = Atomics.load(this.progress, ANALYSED);
    const analysing = Atomics.load(this.progress, PHASE) === ANALYSING;
    const culprit = analysing ? this.inFlight[analysed] : undefined;
    const others = this.inFlight.filter((doc) => doc !== culprit);
    // Told once: a later `take` has nothing left to lose.
    this.inFlight = [];
    this.pendingDocs = 0;
    this.pendingBytes = 0;
    return { culprit, others };
  }

  async close(): Promise<void> {
    this.fail(new Error('the index worker was closed'));
    await this.worker.terminate();
  }

  private send(): void {
    this.sendScheduled = false;
    if (this.queue.length === 0 || this.failure) return;
    this.worker.postMessage({ type: 'add', docs: this.queue } satisfies ToWorker, this.transfer);
    this.queue = [];
    this.transfer = [];
    this.queuedBytes = 0;
  }

  private fail(error: Error): void {
    this.failure ??= error;
    this.queue = [];
    this.transfer = [];
    for (const waiter of this.waiting.splice(0)) waiter.reject(this.failure);
    this.releaseIfIdle();
  }

  private releaseIfIdle(): void {
    if (this.waiting.length === 0) this.worker.unref();
  }
}
