import { MessageChannel, type MessagePort, receiveMessageOnPort, Worker } from 'node:worker_threads';
import { type ContentMatch, localMatcher, type QueryMatcher } from './hits.js';
import { regexMatcher } from './matcher.js';
import { TimeBudgetExceeded } from './run.js';
import { regexWorkerScript, type WorkerScript } from './worker-script.js';

interface JobBase {
  sequence: number;
  source: string;
  flags: string;
}

export type RegexJob =
  | (JobBase & { kind: 'content'; text: string; maxLines: number })
  | (JobBase & { kind: 'fields'; name: string; metadata: string });

export type RegexReply = { sequence: number } & (
  | { content: ContentMatch }
  | { fields: [number, number] }
  | { error: string }
);

type Job = RegexJob extends infer J ? (J extends RegexJob ? Omit<J, 'sequence'> : never) : never;

/**
 * A worker thread that runs regular expressions for searches on this thread. A backtracking
 * expression can take exponential time and cannot be interrupted where it runs, so it runs there:
 * this thread waits for each answer (synchronously, with `Atomics.wait`) until the search's deadline,
 * and terminates the worker when the deadline passes first. The next search starts a new one.
 */
export class RegexWorker {
  private static current: RegexWorker | undefined;
  private sequence = 0;
  private stopped = false;

  private constructor(
    private readonly worker: Worker,
    private readonly port: MessagePort,
    private readonly done: Int32Array,
  ) {
    // Idle, neither the thread nor its port keeps the process alive.
    worker.unref();
    port.unref();
    worker.on('error', () => this.stop());
    worker.on('exit', () => this.stop());
  }

  /** The worker of this thread, started on first use; undefined without a script (see `regexWorkerScript`). */
  static shared(script: WorkerScript | undefined = regexWorkerScript()): RegexWorker | undefined {
    if (RegexWorker.current && !RegexWorker.current.stopped) return RegexWorker.current;
    if (!script) return undefined;
    const channel = new MessageChannel();
    const signal = new SharedArrayBuffer(4);
    const worker = new Worker(script.url, {
      workerData: { ...(script.workerData as object | undefined), port: channel.port2, signal },
      transferList: [channel.port2],
    });
    RegexWorker.current = new RegexWorker(worker, channel.port1, new Int32Array(signal));
    return RegexWorker.current;
  }

  /**
   * Runs a job and returns its answer, or throws `TimeBudgetExceeded` (after terminating the worker)
   * if it does not come before `deadline` (a `performance.now()` time).
   */
  run(job: Job, deadline: number): RegexReply {
    if (this.stopped || performance.now() >= deadline) throw this.expired();
    const sequence = ++this.sequence;
    this.port.postMessage({ ...job, sequence });
    for (;;) {
      const remaining = deadline - performance.now();
      if (remaining <= 0) throw this.expired();
      if (Atomics.load(this.done, 0) !== sequence) {
        Atomics.wait(this.done, 0, sequence - 1, remaining);
        continue;
      }
      const reply = receiveMessageOnPort(this.port)?.message as RegexReply | undefined;
      if (reply?.sequence === sequence) return reply;
      // The answer is signalled right after it is posted: it is on its way.
      if (reply === undefined) Atomics.wait(this.done, 0, sequence, 1);
    }
  }

  private expired(): TimeBudgetExceeded {
    this.stop();
    return new TimeBudgetExceeded('the regular expression ran out of time');
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
  const run = (job: Job) => {
    // Checked first: a worker that ran out of time is not replaced within the same search.
    if (performance.now() >= deadline) throw new TimeBudgetExceeded('the search ran out of time');
    const worker = RegexWorker.shared() as RegexWorker;
    const reply = worker.run(job, deadline);
    if ('error' in reply) throw new Error(`regular expression failed: ${reply.error}`);
    return reply;
  };
  return {
    content: (text, maxLines) => {
      const reply = run({ kind: 'content', source, flags, text, maxLines });
      return 'content' in reply ? reply.content : fail();
    },
    fields: (name, metadata) => {
      const reply = run({ kind: 'fields', source, flags, name, metadata });
      return 'fields' in reply ? reply.fields : fail();
    },
  };
}

function fail(): never {
  throw new Error('the regex worker answered another kind of job');
}
