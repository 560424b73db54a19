import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { type Entry, type Lake, ValidationError } from '@datalake/core';
import type { Command } from 'commander';
import { withLake } from '../context.js';
import { displayName } from '../display.js';
import { findEntry } from '../entry-ref.js';
import { tidyReason, UsageError } from '../errors.js';
import { parsePositiveInteger } from '../options.js';
import { formatBytes, printJson, printLine, streamToStdout } from '../output.js';
import { isBinary, peekHead } from '../terminal-content.js';

interface GetFlags {
  output?: string;
  outputDir?: string;
  path?: boolean;
  atVersion?: number;
}

export function registerGet(program: Command): void {
  program
    .command('get')
    .description("write an entry's exact bytes to standard output or a file")
    .argument('<id...>', 'entry id (or lake path with --path); several need --output-dir')
    .option('-o, --output <file>', 'write to this file instead of standard output (- : standard output)')
    .option('-d, --output-dir <folder>', 'write each entry to <folder>/<its lake path>')
    .option('-p, --path', 'the arguments are lake paths (schema/billing/tables.sql), not ids')
    .option(
      '--at-version <n>',
      'the bytes of this version (see `datalake history`)',
      parsePositiveInteger('--at-version'),
    )
    .addHelpText(
      'after',
      `
Binary content is not written to a terminal (it could garble it): redirect or pipe the output, give
--output FILE, or --output - to write it to the terminal anyway.

Examples:
  $ datalake get 6f1c2e9a-... > tables.sql
  $ datalake get --path schema/billing/tables.sql -o tables.sql
  $ datalake get 6f1c2e9a-... --at-version 2 > old.sql
  $ datalake get --output-dir ./export $(datalake ls --type macro --ids)`,
    )
    .action(async (references: string[], flags: GetFlags, command: Command) => {
      if (references.length > 1 && !flags.outputDir)
        throw new UsageError('several entries need --output-dir');
      if (flags.output && flags.outputDir) throw new UsageError('use either --output or --output-dir');
      const forceStdout = flags.output === '-';
      const output = forceStdout ? undefined : flags.output;
      await withLake(command, async (lake, options) => {
        const written: Array<{ id: string; filePath: string; size: number; output: string }> = [];
        for (const reference of references) {
          const entry = await findEntry(lake, reference, flags.path ?? false);
          const target = flags.outputDir ? join(flags.outputDir, ...entry.filePath.split('/')) : output;
          if (target) {
            await copyToFile(lake, entry, target, flags.atVersion);
            written.push({ id: entry.id, filePath: entry.filePath, size: entry.size, output: target });
          } else {
            await copyToStdout(lake, entry, forceStdout, flags.atVersion);
          }
        }
        if (written.length === 0) return;
        if (options.json) printJson(written);
        else
          for (const item of written)
            printLine(`wrote ${displayName(item.output)} (${formatBytes(item.size)})`);
      });
    });
}

async function copyToFile(lake: Lake, entry: Entry, target: string, version?: number): Promise<void> {
  const { stream } = await lake.readStream(entry.id, version === undefined ? undefined : { version });
  try {
    await mkdir(dirname(target), { recursive: true });
    await pipeline(stream, createWriteStream(target));
  } catch (error) {
    throw writeError(target, error);
  }
}

/**
 * Streams the bytes to standard output. Binary content is refused on a terminal (unless forced);
 * when the reader closes the pipe (`| head -c 100`), the copy simply stops.
 */
async function copyToStdout(lake: Lake, entry: Entry, force: boolean, version?: number): Promise<void> {
  const { stream } = await lake.readStream(entry.id, version === undefined ? undefined : { version });
  let body: AsyncIterable<Uint8Array> = stream;
  if (process.stdout.isTTY && !force) {
    const peeked = await peekHead(stream);
    if (isBinary(peeked.head)) {
      await peeked.rest.return?.();
      throw new UsageError(
        `${entry.filePath} is binary (${formatBytes(entry.size)}) and standard output is a terminal: ` +
          'redirect or pipe it, use --output FILE, or --output - to print it anyway',
      );
    }
    body = peeked.all;
  }
  await streamToStdout(body);
}

/** A target that cannot be written is an unusable argument: a typed error naming it once. */
function writeError(target: string, error: unknown): unknown {
  const code = (error as NodeJS.ErrnoException)?.code;
  if (typeof code !== 'string' || !/^E[A-Z0-9]+$/.test(code)) return error;
  return new ValidationError(`cannot write ${target}: ${tidyReason((error as Error).message)}`, {
    cause: error,
    details: { path: target, errno: code },
  });
}
