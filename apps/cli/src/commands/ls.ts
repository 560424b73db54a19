import type { DataType } from '@datalake/core';
import type { Command } from 'commander';
import { withLake } from '../context.js';
import { displayName } from '../display.js';
import { parseDataType, parseDate } from '../options.js';
import { formatBytes, formatTable, printJson, printLine } from '../output.js';

interface LsFlags {
  type?: DataType;
  subpath?: string;
  recursive: boolean;
  ids?: boolean;
  long?: boolean;
  asOf?: string;
}

export function registerLs(program: Command): void {
  program
    .command('ls')
    .description('list entries (without content), ordered by path')
    .option('-t, --type <type>', 'only this data type', parseDataType)
    .option('-s, --subpath <folder>', 'only entries in this folder (below the type folder)')
    .option('--no-recursive', 'only direct children of --subpath, not deeper folders')
    .option('-l, --long', 'also show id, size and last change')
    .option('--ids', 'print only the ids, one per line')
    .option('--as-of <time>', 'the lake as it was at this moment (ISO-8601)', parseDate)
    .addHelpText(
      'after',
      `
With --json, prints the array list() returns.

Examples:
  $ datalake ls
  $ datalake ls --type schema --subpath billing --no-recursive -l
  $ datalake ls --type logs --json | jq length
  $ datalake ls --as-of 2024-05-01T12:00:00Z`,
    )
    .action(async (flags: LsFlags, command: Command) => {
      await withLake(command, async (lake, options) => {
        const entries = await lake.list({
          dataType: flags.type,
          subpath: flags.subpath,
          recursive: flags.recursive,
          ...(flags.asOf ? { asOf: flags.asOf } : {}),
        });
        if (options.json) return printJson(entries);
        if (flags.ids) {
          for (const entry of entries) printLine(displayName(entry.id));
          return;
        }
        const rows = entries.map((entry) =>
          (flags.long
            ? [entry.id, formatBytes(entry.size), entry.updatedAt ?? entry.createdAt, entry.filePath]
            : [entry.dataType, entry.filePath]
          ).map((cell) => displayName(cell)),
        );
        for (const line of formatTable(rows)) printLine(line);
      });
    });
}
