/**
 * Receives ingest progress; the implementation decides how (or whether) to show it. `start` comes
 * once, after the walk, with what the run will process; `advance` once per file when it is done
 * (stored, skipped or failed) with its size; `stop` once at the end, also when the run throws.
 */
export interface ProgressReporter {
  start(totalFiles: number, totalBytes: number): void;
  advance(bytes: number): void;
  stop(): void;
}

/** Shows nothing: the default. */
export const silentProgress: ProgressReporter = { start() {}, advance() {}, stop() {} };
