import { basename } from 'node:path';
import type { DataType, JsonValue } from '@datalake/core';
import type { Command } from 'commander';
import { withLake } from '../context.js';
import { UsageError } from '../errors.js';
import { classify } from '../ingest/classify.js';
import { countLines, decodeText } from '../ingest/encoding.js';
import { readInput } from '../input-files.js';
import { collectMetadata, parseDataType } from '../options.js';
import { printJson, printLine } from '../output.js';

interface StoreFlags {
  type?: DataType;
  name?: string;
  subpath?: string;
  meta?: Record<string, JsonValue>;
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
      'metadata (repeatable; JSON values such as 42 or true are parsed)',
      collectMetadata,
    )
    .addHelpText(
      'after',
      `
Examples:
  $ datalake store ./db/schema.sql --subpath billing
  $ datalake store report.md --type documentation --meta owner=finance --meta reviewed=true
  $ pg_dump --schema-only shop | datalake store - --name shop.sql --type schema --json`,
    )
    .action(async (file: string, flags: StoreFlags, command: Command) => {
      const fromStdin = file === '-';
      if (fromStdin && !flags.name) throw new UsageError('storing standard input needs --name');
      const name = flags.name ?? basename(file);
      const bytes = await readInput(file);
      const decoded = decodeText(bytes);
      const verdict = classify(name, decoded.text, decoded.encoding === 'binary');
      const metadata = {
        encoding: decoded.encoding,
        language: verdict.language,
        lineCount: countLines(decoded.text),
        ...flags.meta,
      };
      await withLake(command, async (lake, options) => {
        const entry = await lake.store({
          name,
          content: bytes,
          dataType: flags.type ?? verdict.dataType,
          subpath: flags.subpath,
          metadata,
        });
        if (options.json) printJson(entry);
        else printLine(`stored ${entry.filePath} (${entry.size} bytes) as ${entry.id}`);
      });
    });
}
