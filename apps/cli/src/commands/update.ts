import type { JsonValue, UpdateInput } from '@datalake/core';
import type { Command } from 'commander';
import { withLake } from '../context.js';
import { findEntry } from '../entry-ref.js';
import { UsageError } from '../errors.js';
import { readInput } from '../input-files.js';
import { collectMetadata } from '../options.js';
import { printJson, printLine } from '../output.js';

interface UpdateFlags {
  content?: string;
  meta?: Record<string, JsonValue>;
  path?: boolean;
}

export function registerUpdate(program: Command): void {
  program
    .command('update')
    .description("replace an entry's content and/or merge metadata into it")
    .argument('<id>', 'entry id (or lake path with --path)')
    .option('-c, --content <file>', 'new content from this file, or - for standard input')
    .option(
      '-m, --meta <key=value>',
      'metadata to merge (repeatable; key=null keeps the key with value null)',
      collectMetadata,
    )
    .option('-p, --path', 'the argument is a lake path, not an id')
    .addHelpText(
      'after',
      `
Examples:
  $ datalake update 6f1c2e9a-... --content ./db/schema.sql
  $ datalake update --path schema/billing/tables.sql --meta reviewed=true --meta owner=data-team
  $ cat new.yaml | datalake update 6f1c2e9a-... --content - --json`,
    )
    .action(async (reference: string, flags: UpdateFlags, command: Command) => {
      if (flags.content === undefined && flags.meta === undefined) {
        throw new UsageError('nothing to update: give --content and/or --meta');
      }
      const input: UpdateInput = {};
      if (flags.content !== undefined) {
        input.content = await readInput(flags.content);
      }
      if (flags.meta) input.metadata = flags.meta;
      await withLake(command, async (lake, options) => {
        const entry = await findEntry(lake, reference, flags.path ?? false);
        const updated = await lake.update(entry.id, input);
        if (options.json) printJson(updated);
        else printLine(`updated ${updated.filePath} (${updated.size} bytes)`);
      });
    });
}
