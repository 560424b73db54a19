import { MessageChannel, type MessagePort, receiveMessageOnPort, Worker } from 'node:worker_threads';
import { localMatcher, type MatchAnswer, type MatchJob, type QueryMatcher } from './hits.js';
import { regexMatcher } from './matcher.js';
import { TimeBudgetExceeded } from './run.js';
import { regexWorkerScript, type WorkerScript } from './worker-script.js';

/** A batch of matching work for the regex worker. */
export interface RegexJob {
  sequence: number;
  source: string;
  flags: string;
  items: MatchJob[];
}

/** The worker's answer to one item of a job, in order. */
export type RegexReply = { sequence: number } & ({ answer: MatchAnswer } | { error: string });

/** Index, in the shared progress array, of the number of items of the current job answered. */
export const ANSWERED = 0;

/**
 * A worker thread that runs regular expressions for searches on this thread. A backtracking
 * expression can take exponential time and cannot be interrupted where it runs, so it runs there:
 * this thread hands over a batch of work and waits for the answers (synchronously, with
 * `Atomics.wait`) until the search's deadline; when the deadline passes first, it takes the answers
 * given so far and terminates the worker. The next search starts a new one.
 */
export class RegexWorker {
  private static current: RegexWorker | undefined;
  private sequence = 0;
  private stopped = false;

  private constructor(
    private readonly worker: Worker,
    private readonly port: MessagePort,
    private readonly progress: Int32Array,
  ) {
    // Idle, neither the thread nor its port keeps the process alive.
    worker.unref();
    port.unref();
    worker.on('error', () => this.stop());
    worker.on('exit', () => this.stop());
  }

  /** The worker of this thread, started on first use; undefined without a script (see `regexWorkerScript`). */
  static shared(given?: WorkerScript): RegexWorker | undefined {
    if (RegexWorker.current && !RegexWorker.current.stopped) return RegexWorker.current;
    const script = given ?? regexWorkerScript();
    if (!script) return undefined;
    const channel = new MessageChannel();
    const signal = new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT);
    const worker = new Worker(script.url, {
      workerData: { ...(script.workerData as object | undefined), port: channel.port2, signal },
      transferList: [channel.port2],
    });
    RegexWorker.current = new RegexWorker(worker, channel.port1, new Int32Array(signal));
    return RegexWorker.current;
  }

  /**
   * Answers `items` with the expression `source`/`flags`, in order: all of them, or those answered
   * before `deadline` (a `performance.now()` time), after which the worker is terminated.
   */
  run(source: string, flags: string, items: readonly MatchJob[], deadline: number): MatchAnswer[] {
    const answers: MatchAnswer[] = [];
    if (items.length === 0 || this.stopped || performance.now() >= deadline) return answers;
    const sequence = ++this.sequence;
    Atomics.store(this.progress, ANSWERED, 0);
    this.port.postMessage({ sequence, source, flags, items: [...items] } satisfies RegexJob);
    let answered = 0;
    while (answered < items.length) {
      const remaining = deadline - performance.now();
      if (remaining <= 0) break;
      Atomics.wait(this.progress, ANSWERED, answered, remaining);
      answered = Atomics.load(this.progress, ANSWERED);
    }
    // An answer is posted before it is counted, so every counted one can be taken.
    for (let taken = 0; taken < answered; taken++) {
      const reply = receiveMessageOnPort(this.port)?.message as RegexReply | undefined;
      if (reply === undefined || reply.sequence !== sequence) break;
      if ('error' in reply) {
        this.stop();
        throw new Error(`regular expression failed: ${reply.error}`);
      }
      answers.push(reply.answer);
    }
    if (answers.length < items.length) this.stop();
    return answers;
  }

  private stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.port.close();
    void this.worker.terminate();
    if (RegexWorker.current === this) RegexWorker.current = undefined;
  }
}

/**
 * Matching of a regular expression that never runs past `deadline`: on the regex worker when it is
 * available (the built package), else on this thread (from the TypeScript sources; no deadline then).
 */
export function regexQueryMatcher(regex: RegExp, deadline: number): QueryMatcher {
  if (!RegexWorker.shared()) return localMatcher(regexMatcher(regex));
  const { source, flags } = regex;
  return {
    run: (items) => {
      // A worker that ran out of time is not replaced within the same search.
      if (performance.now() >= deadline) return [];
      const worker = RegexWorker.shared();
      if (!worker) throw new TimeBudgetExceeded('the regex worker is gone');
      return worker.run(source, flags, items, deadline);
    },
  };
}
