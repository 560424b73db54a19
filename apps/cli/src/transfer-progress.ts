import { createRequire } from 'node:module';
import type { TransferProgress } from '@datalake/transfer';
import type CliProgress from 'cli-progress';
import { guardTerminal } from './interrupts.js';
import { formatBytes, printJsonLine, printNotice } from './output.js';

const requireOnDemand = createRequire(import.meta.url);

/** Shows the progress of a backup, verify, restore or copy; `stop` before printing the result. */
export interface TransferProgressView {
  update(progress: TransferProgress): void;
  stop(): void;
}

/** A bar on a terminal, `{"progress": …}` lines with --json, a line per tenth in logs; or nothing. */
export function transferProgress(enabled: boolean, json: boolean): TransferProgressView {
  if (!enabled) return { update() {}, stop() {} };
  if (json) return steps((progress) => printJsonLine({ progress }));
  if (process.stderr.isTTY) return bar();
  return steps((progress) =>
    printNotice(
      `${progress.phase}: ${progress.done}${progress.total ? `/${progress.total}` : ''}, ${formatBytes(progress.bytes)}`,
    ),
  );
}

/** At the start, at every tenth of the total (every 1,000 when it is not known), and at the end. */
function steps(report: (progress: TransferProgress) => void): TransferProgressView {
  let next = 0;
  let last: TransferProgress | undefined;
  return {
    update(progress) {
      last = progress;
      const stride = progress.total > 0 ? Math.max(1, Math.ceil(progress.total / 10)) : 1000;
      if (progress.done >= next || (progress.total > 0 && progress.done === progress.total)) {
        report(progress);
        next = progress.done + stride;
        if (progress.done === progress.total) next = Number.POSITIVE_INFINITY;
      }
    },
    stop() {
      if (last && next !== Number.POSITIVE_INFINITY && last.total === 0) report(last);
    },
  };
}

function bar(): TransferProgressView {
  const cliProgress = requireOnDemand('cli-progress') as typeof CliProgress;
  const view = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      format: '{phase} [{bar}] {percentage}% | {value}/{total} | {done} | {rate}/s',
      hideCursor: true,
      clearOnComplete: true,
    },
    cliProgress.Presets.shades_classic,
  );
  const startedAt = performance.now();
  let started = false;
  let stopped = false;
  let release = () => {};
  const stop = () => {
    if (stopped) return;
    stopped = true;
    if (started) view.stop();
    release();
  };
  return {
    update(progress) {
      if (stopped) return;
      const seconds = Math.max((performance.now() - startedAt) / 1000, 0.001);
      const payload = {
        phase: progress.phase,
        done: formatBytes(progress.bytes),
        rate: formatBytes(Math.round(progress.bytes / seconds)),
      };
      if (!started) {
        started = true;
        release = guardTerminal(stop);
        view.start(Math.max(progress.total, progress.done), progress.done, payload);
      } else {
        view.setTotal(Math.max(progress.total, progress.done));
        view.update(progress.done, payload);
      }
    },
    stop,
  };
}
