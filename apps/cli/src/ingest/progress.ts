import { createRequire } from 'node:module';
import type CliProgress from 'cli-progress';
import { formatBytes } from '../output.js';

// Loaded only for a terminal: runs into pipes and logs (scripts, CI) skip its start-up cost.
const requireOnDemand = createRequire(import.meta.url);

/** Receives ingest progress; the implementation decides how (or whether) to show it. */
export interface ProgressReporter {
  start(totalFiles: number, totalBytes: number): void;
  advance(bytes: number): void;
  stop(): void;
}

export const silentProgress: ProgressReporter = { start() {}, advance() {}, stop() {} };

/** A live bar on a terminal: files, bytes, rate and ETA. */
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
  const payload = () => {
    const seconds = Math.max((performance.now() - startedAt) / 1000, 0.001);
    return {
      done: formatBytes(bytesDone),
      size: formatBytes(totalBytes),
      rate: formatBytes(Math.round(bytesDone / seconds)),
    };
  };
  return {
    start(files, bytes) {
      totalBytes = bytes;
      startedAt = performance.now();
      bar.start(files, 0, payload());
    },
    advance(bytes) {
      bytesDone += bytes;
      bar.increment(1, payload());
    },
    stop() {
      bar.stop();
    },
  };
}

/** Plain lines for logs and pipes: one at every tenth of the files. */
export function lineProgress(write: (line: string) => void): ProgressReporter {
  let total = 0;
  let done = 0;
  let bytesDone = 0;
  let nextReport = 0;
  let step = 1;
  return {
    start(files) {
      total = files;
      step = Math.max(1, Math.ceil(files / 10));
      nextReport = step;
      write(`ingest: ${files} files to process`);
    },
    advance(bytes) {
      done++;
      bytesDone += bytes;
      if (done >= nextReport || done === total) {
        write(`ingest: ${done}/${total} files, ${formatBytes(bytesDone)}`);
        nextReport = done + step;
      }
    },
    stop() {},
  };
}
