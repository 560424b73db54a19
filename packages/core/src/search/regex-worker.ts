// The regex worker thread: runs regular-expression matching for `RegexWorker`, which waits for each
// answer until the search's deadline and terminates this thread when it passes (a backtracking match
// cannot be interrupted otherwise).
import { type MessagePort, workerData } from 'node:worker_threads';
import { matchContent } from './hits.js';
import { regexMatcher, type TextMatcher } from './matcher.js';
import type { RegexJob, RegexReply } from './regex-runner.js';

const { port, signal } = workerData as { port: MessagePort; signal: SharedArrayBuffer };
const done = new Int32Array(signal);
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

function answer(job: RegexJob): RegexReply {
  try {
    const matcher = matcherOf(job);
    if (job.kind === 'content')
      return { sequence: job.sequence, content: matchContent(job.text, matcher, job.maxLines) };
    return { sequence: job.sequence, fields: [matcher(job.name), matcher(job.metadata)] };
  } catch (error) {
    return { sequence: job.sequence, error: error instanceof Error ? error.message : String(error) };
  }
}

port.on('message', (job: RegexJob) => {
  port.postMessage(answer(job));
  Atomics.store(done, 0, job.sequence);
  Atomics.notify(done, 0);
});
