import { basename } from 'node:path';
import type { DataType } from '@datalake/core';
import type { Command } from 'commander';
import { withLake } from '../context.js';
import { displayName } from '../display.js';
import { UsageError } from '../errors.js';
import { describeInput, readInput } from '../input-files.js';
import {
  collectJsonMetadata,
  collectMetadata,
  type MetadataPairs,
  maxSizeOption,
  metadataOf,
  parseDataType,
} from '../options.js';
import { formatBytes, printJson, printLine } from '../output.js';

interface StoreFlags {
  type?: DataType;
  name?: string;
  subpath?: string;
  meta?: MetadataPairs;
  metaJson?: MetadataPairs;
  maxSize: number;
}

export function registerStore(program: Command): void {
  program
    .command('store')
    .description('store one file (or standard input) as a new entry')
    .argument('<file>', 'file to store, or - for standard input (then --name is required)')
    .option('-t, --type <type>', 'data type (default: classified like ingest does)', parseDataType)
    .option('-n, --name <name>', 'entry name (default: the file name)')
    .option('-s, --subpath <folder>', 'folder below the type folder')
    .option(
      '-m, --meta <key=value>',
      'metadata with a string value, exactly as typed (repeatable)',
      collectMetadata,
    )
    .option(
      '--meta-json <key=json>',
      'metadata with a JSON value: 42, true, null, "text", [1,2], {"a":1} (repeatable)',
      collectJsonMetadata,
    )
    .addOption(maxSizeOption('refuse content larger than this (e.g. 10MiB, 1g)'))
    .addHelpText(
      'after',
      `
Standard input and other streams are read as they come, never more than --max-size of them.

Examples:
  $ datalake store ./db/schema.sql --subpath billing
  $ datalake store report.md --type documentation --meta owner=finance --meta version=1.0
  $ datalake store report.md --meta-json reviewed=true --meta-json pages=12
  $ pg_dump --schema-only shop | datalake store - --name shop.sql --type schema --json`,
    )
    .action(async (file: string, flags: StoreFlags, command: Command) => {
      // Only a missing name is a usage error; an empty or invalid one is the lake's to refuse.
      if (file === '-' && flags.name === undefined)
        throw new UsageError('storing standard input needs --name');
      const name = flags.name ?? basename(file);
      const userMetadata = metadataOf(flags.meta, flags.metaJson);
      const input = await readInput(file, flags.maxSize);
      try {
        const described = describeInput(name, input);
        await withLake(
          command,
          async (lake, options) => {
            const entry = await lake.store({
              name,
              content: input.content(),
              dataType: flags.type ?? described.dataType,
              subpath: flags.subpath,
              metadata: { ...described.metadata, ...userMetadata },
            });
            if (options.json) printJson(entry);
            else
              printLine(`stored ${displayName(entry.filePath)} (${formatBytes(entry.size)}) as ${entry.id}`);
          },
          { create: true },
        );
      } finally {
        await input.dispose();
      }
    });
}
