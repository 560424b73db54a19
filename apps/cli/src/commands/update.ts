import type { UpdateInput } from '@datalake/core';
import type { Command } from 'commander';
import { withLake } from '../context.js';
import { displayName } from '../display.js';
import { findEntry } from '../entry-ref.js';
import { UsageError } from '../errors.js';
import { describeInput, type InputContent, readInput } from '../input-files.js';
import {
  collectJsonMetadata,
  collectMetadata,
  type MetadataPairs,
  maxSizeOption,
  metadataOf,
} from '../options.js';
import { formatBytes, printJson, printLine } from '../output.js';

interface UpdateFlags {
  content?: string;
  meta?: MetadataPairs;
  metaJson?: MetadataPairs;
  path?: boolean;
  maxSize: number;
  author?: string;
  message?: string;
}

export function registerUpdate(program: Command): void {
  program
    .command('update')
    .description("replace an entry's content and/or merge metadata into it")
    .argument('<id>', 'entry id (or lake path with --path)')
    .option('-c, --content <file>', 'new content from this file, or - for standard input')
    .option('-m, --meta <key=value>', 'metadata to merge, with a string value (repeatable)', collectMetadata)
    .option(
      '--meta-json <key=json>',
      'metadata to merge, with a JSON value: 42, true, null, "text", [1,2], {"a":1} (repeatable)',
      collectJsonMetadata,
    )
    .option('-p, --path', 'the argument is a lake path, not an id')
    .addOption(maxSizeOption('refuse new content larger than this (e.g. 10MiB, 1g)'))
    .option('--author <name>', 'who makes the change (kept with the new version)')
    .option('--message <text>', 'why (kept with the new version)')
    .addHelpText(
      'after',
      `
New content gets fresh encoding, language and lineCount metadata, as store gives them. A key given
with --meta-json key=null is kept with the value null.

Examples:
  $ datalake update 6f1c2e9a-... --content ./db/schema.sql
  $ datalake update --path schema/billing/tables.sql --meta owner=data-team --meta-json reviewed=true
  $ cat new.yaml | datalake update 6f1c2e9a-... --content - --json`,
    )
    .action(async (reference: string, flags: UpdateFlags, command: Command) => {
      const userMetadata = metadataOf(flags.meta, flags.metaJson);
      if (flags.content === undefined && userMetadata === undefined) {
        throw new UsageError('nothing to update: give --content and/or --meta / --meta-json');
      }
      await withLake(command, async (lake, options) => {
        const entry = await findEntry(lake, reference, flags.path ?? false);
        let input: InputContent | undefined;
        try {
          const update: UpdateInput = {
            ...(flags.author !== undefined ? { author: flags.author } : {}),
            ...(flags.message !== undefined ? { message: flags.message } : {}),
          };
          if (flags.content !== undefined) {
            input = await readInput(flags.content, flags.maxSize);
            update.content = input.content();
            update.metadata = describeInput(entry.name, input).metadata;
          }
          if (userMetadata) update.metadata = { ...update.metadata, ...userMetadata };
          const updated = await lake.update(entry.id, update);
          if (options.json) printJson(updated);
          else printLine(`updated ${displayName(updated.filePath)} (${formatBytes(updated.size)})`);
        } finally {
          await input?.dispose();
        }
      });
    });
}
