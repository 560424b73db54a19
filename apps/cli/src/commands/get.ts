import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Lake } from '@datalake/core';
import type { Command } from 'commander';
import { withLake } from '../context.js';
import { findEntry } from '../entry-ref.js';
import { UsageError } from '../errors.js';
import { printJson, printLine } from '../output.js';

interface GetFlags {
  output?: string;
  outputDir?: string;
  path?: boolean;
}

export function registerGet(program: Command): void {
  program
    .command('get')
    .description("write an entry's exact bytes to standard output or a file")
    .argument('<id...>', 'entry id (or lake path with --path); several need --output-dir')
    .option('-o, --output <file>', 'write to this file instead of standard output')
    .option('-d, --output-dir <folder>', 'write each entry to <folder>/<its lake path>')
    .option('-p, --path', 'the arguments are lake paths (schema/billing/tables.sql), not ids')
    .addHelpText(
      'after',
      `
Examples:
  $ datalake get 6f1c2e9a-... > tables.sql
  $ datalake get --path schema/billing/tables.sql -o tables.sql
  $ datalake get --output-dir ./export $(datalake ls --type macro --ids)`,
    )
    .action(async (references: string[], flags: GetFlags, command: Command) => {
      if (references.length > 1 && !flags.outputDir)
        throw new UsageError('several entries need --output-dir');
      if (flags.output && flags.outputDir) throw new UsageError('use either --output or --output-dir');
      await withLake(command, async (lake, options) => {
        const written: Array<{ id: string; filePath: string; size: number; output: string }> = [];
        for (const reference of references) {
          const entry = await findEntry(lake, reference, flags.path ?? false);
          const target = flags.outputDir ? join(flags.outputDir, ...entry.filePath.split('/')) : flags.output;
          await copyOut(lake, entry.id, target);
          if (target)
            written.push({ id: entry.id, filePath: entry.filePath, size: entry.size, output: target });
        }
        if (!flags.output && !flags.outputDir) return;
        if (options.json) printJson(written);
        else for (const item of written) printLine(`wrote ${item.output} (${item.size} bytes)`);
      });
    });
}

async function copyOut(lake: Lake, id: string, target: string | undefined): Promise<void> {
  const { stream } = await lake.readStream(id);
  if (!target) {
    await pipeline(stream, keepOpen(process.stdout));
    return;
  }
  await mkdir(dirname(target), { recursive: true });
  await pipeline(stream, createWriteStream(target));
}

/** Standard output must stay open for the next entry (and for the process). */
function keepOpen(out: NodeJS.WriteStream): Writable {
  return new Writable({
    write(chunk, _encoding, callback) {
      out.write(chunk, callback);
    },
  });
}
