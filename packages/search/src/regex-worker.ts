// The regex worker thread: runs regular-expression matching for `RegexWorker`, which waits for the
// answers until the search's deadline and terminates this thread when it passes (a backtracking match
// cannot be interrupted otherwise). Each answer is posted as soon as it is ready, so that those
// given before the deadline count.
import { type MessagePort, workerData } from 'node:worker_threads';
import { answer } from './hits.js';
import { regexMatcher, type TextMatcher } from './matcher.js';
import { ANSWERED, type RegexJob, type RegexReply } from './regex-runner.js';

const { port, signal } = workerData as { port: MessagePort; signal: SharedArrayBuffer };
const progress = new Int32Array(signal);
let compiled: { source: string; flags: string; matcher: TextMatcher } | undefined;

function matcherOf(job: RegexJob): TextMatcher {
  if (compiled?.source !== job.source || compiled.flags !== job.flags)
    compiled = {
      source: job.source,
      flags: job.flags,
      matcher: regexMatcher(new RegExp(job.source, job.flags)),
    };
  return compiled.matcher;
}

port.on('message', (job: RegexJob) => {
  for (const item of job.items) {
    let reply: RegexReply;
    try {
      reply = { sequence: job.sequence, answer: answer(matcherOf(job), item) };
    } catch (error) {
      reply = { sequence: job.sequence, error: error instanceof Error ? error.message : String(error) };
    }
    port.postMessage(reply);
    Atomics.add(progress, ANSWERED, 1);
    Atomics.notify(progress, ANSWERED);
  }
});
