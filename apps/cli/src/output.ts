/**
 * Everything a command prints goes through here, so `--json` output stays machine-readable: with
 * `--json`, stdout holds the result and every line on stderr is one JSON object (`{"error": …}`,
 * `{"notice": …}`, `{"warning": …}`, `{"progress": …}`).
 */

import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

let json = false;
let stdoutClosed = false;
let stderrClosed = false;
let stdoutFailure: NodeJS.ErrnoException | undefined;

export function setJsonOutput(enabled: boolean): void {
  json = enabled;
}

export function isJsonOutput(): boolean {
  return json;
}

/**
 * A reader that stops reading (`datalake ingest … | head -1`) closes standard output: from then on
 * output is dropped, but the command finishes its work and exits with the code the work deserves.
 * Any other write error (a full disk behind `> file`) is kept for `outputFailure`.
 */
export function watchOutputStreams(): void {
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    stdoutClosed = true;
    if (error.code !== 'EPIPE') stdoutFailure ??= error;
  });
  process.stderr.on('error', () => {
    stderrClosed = true;
  });
}

/** Standard output can no longer be written (closed by its reader, or failed). */
export function isStdoutClosed(): boolean {
  return stdoutClosed || process.stdout.destroyed;
}

/** A write error of standard output other than its reader closing it. */
export function outputFailure(): NodeJS.ErrnoException | undefined {
  return stdoutFailure;
}

export function writeStdout(data: string | Uint8Array): void {
  if (!isStdoutClosed()) process.stdout.write(data);
}

export function writeStderr(text: string): void {
  if (!stderrClosed && !process.stderr.destroyed) process.stderr.write(text);
}

/**
 * Streams bytes to standard output, unchanged, leaving it open for what follows. Stops quietly when
 * the reader has closed it (`| head -c 100`).
 */
export async function streamToStdout(body: AsyncIterable<Uint8Array>): Promise<void> {
  const out = new Writable({
    write(chunk, _encoding, callback) {
      if (isStdoutClosed()) callback(new Error('standard output is closed'));
      else process.stdout.write(chunk, callback);
    },
  });
  try {
    await pipeline(body, out);
  } catch (error) {
    if (!isStdoutClosed()) throw error;
  }
}

export function printJson(value: unknown): void {
  writeStdout(`${JSON.stringify(value, jsonReplacer, 2)}\n`);
}

/** One line of a command's result (callers escape outside names with `displayName`). */
export function printLine(text = ''): void {
  writeStdout(`${text}\n`);
}

/** A message beside the result, on stderr: `notice: …` for people, `{"notice": …}` with `--json`. */
export function printMessage(kind: 'notice' | 'warning', text: string): void {
  writeStderr(json ? `${JSON.stringify({ [kind]: text })}\n` : `${kind}: ${text}\n`);
}

/** A line for people on stderr; with `--json`, the same text as `{"notice": …}`. */
export function printNotice(text: string): void {
  writeStderr(json ? `${JSON.stringify({ notice: text })}\n` : `${text}\n`);
}

/** A hint for people on stderr (`no matches`); with `--json` the result says it, so nothing is printed. */
export function printHint(text: string): void {
  if (!json) writeStderr(`${text}\n`);
}

/** One JSON object as one line on stderr (`--json` errors and progress). */
export function printJsonLine(value: unknown): void {
  writeStderr(`${JSON.stringify(value, jsonReplacer)}\n`);
}

function jsonReplacer(_key: string, value: unknown): unknown {
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  return value;
}

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

/** `512 B`, `1.5 KiB`, `256 MiB`: one decimal, none when the value is whole. */
export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  const digits = unit === 0 ? String(value) : value.toFixed(1).replace(/\.0$/, '');
  return `${digits} ${UNITS[unit]}`;
}

/** Left-aligned columns, widths from the widest cell (the last column is not padded). */
export function formatTable(rows: string[][]): string[] {
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, index) => {
      widths[index] = Math.max(widths[index] ?? 0, cell.length);
    });
  }
  return rows.map((row) =>
    row.map((cell, index) => (index === row.length - 1 ? cell : cell.padEnd(widths[index] ?? 0))).join('  '),
  );
}
