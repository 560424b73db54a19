import { createRequire } from 'node:module';
import type { ProgressReporter } from '@datalake/ingest';
import type CliProgress from 'cli-progress';
import { guardTerminal } from './interrupts.js';
import { formatBytes, printJsonLine } from './output.js';

// Loaded only for a terminal: runs into pipes and logs (scripts, CI) skip its start-up cost.
const requireOnDemand = createRequire(import.meta.url);

/** How `datalake ingest` shows the progress the ingest pipeline reports. */

/**
 * A live bar on a terminal: files, bytes, rate and ETA. The bar hides the cursor and turns off line
 * wrap while it runs; whatever ends the process (Ctrl-C included) puts both back.
 */
export function barProgress(stream: NodeJS.WriteStream = process.stderr): ProgressReporter {
  const cliProgress = requireOnDemand('cli-progress') as typeof CliProgress;
  const bar = new cliProgress.SingleBar(
    {
      stream,
      format:
        'ingest [{bar}] {percentage}% | {value}/{total} files | {done} of {size} | {rate}/s | ETA {eta_formatted}',
      hideCursor: true,
      clearOnComplete: true,
      etaBuffer: 200,
    },
    cliProgress.Presets.shades_classic,
  );
  let bytesDone = 0;
  let totalBytes = 0;
  let startedAt = 0;
  let release = () => {};
  const payload = () => {
    const seconds = Math.max((performance.now() - startedAt) / 1000, 0.001);
    return {
      done: formatBytes(bytesDone),
      size: formatBytes(totalBytes),
      rate: formatBytes(Math.round(bytesDone / seconds)),
    };
  };
  let stopped = false;
  const stop = () => {
    stopped = true;
    bar.stop();
    release();
  };
  return {
    start(files, bytes) {
      totalBytes = bytes;
      startedAt = performance.now();
      release = guardTerminal(stop);
      bar.start(files, 0, payload());
    },
    advance(bytes) {
      bytesDone += bytes;
      // Once stopped (Ctrl-C), work still in flight must not draw the bar again.
      if (!stopped) bar.increment(1, payload());
    },
    stop,
  };
}

/** Plain lines for logs and pipes: one at every tenth of the files. */
export function lineProgress(write: (line: string) => void): ProgressReporter {
  return steppedProgress((step) =>
    write(
      step.done === 0
        ? `ingest: ${step.total} files to process`
        : `ingest: ${step.done}/${step.total} files, ${formatBytes(step.bytes)}`,
    ),
  );
}

/** `--json`: the same steps as one JSON object per line on stderr, `{"progress": {…}}`. */
export function jsonProgress(write: (value: unknown) => void = printJsonLine): ProgressReporter {
  return steppedProgress((progress) => write({ progress }));
}

interface ProgressStep {
  done: number;
  total: number;
  bytes: number;
  totalBytes: number;
}

/** Calls `report` at the start and at every tenth of the files. */
function steppedProgress(report: (step: ProgressStep) => void): ProgressReporter {
  const step: ProgressStep = { done: 0, total: 0, bytes: 0, totalBytes: 0 };
  let nextReport = 0;
  let stride = 1;
  return {
    start(files, bytes) {
      Object.assign(step, { total: files, totalBytes: bytes });
      stride = Math.max(1, Math.ceil(files / 10));
      nextReport = stride;
      report({ ...step });
    },
    advance(bytes) {
      step.done++;
      step.bytes += bytes;
      if (step.done >= nextReport || step.done === step.total) {
        report({ ...step });
        nextReport = step.done + stride;
      }
    },
    stop() {},
  };
}
