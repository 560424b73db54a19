import type { Entry } from '@datalake/core';
import type { Command } from 'commander';
import { withLake } from '../context.js';
import { findEntry } from '../entry-ref.js';
import { formatBytes, formatTable, printJson, printLine } from '../output.js';

interface ShowFlags {
  path?: boolean;
  content?: boolean;
}

export function registerShow(program: Command): void {
  program
    .command('show')
    .description("an entry's details: path, type, size, hash, dates and metadata")
    .argument('<id>', 'entry id (or lake path with --path)')
    .option('-p, --path', 'the argument is a lake path, not an id')
    .option('-c, --content', 'also print the content (UTF-8 decoded)')
    .addHelpText(
      'after',
      `
With --json, prints the entry as the library returns it (retrieve() without the raw bytes; the
decoded "content" only with --content).

Examples:
  $ datalake show 6f1c2e9a-...
  $ datalake show --path config/deploy/app.yaml --json`,
    )
    .action(async (reference: string, flags: ShowFlags, command: Command) => {
      await withLake(command, async (lake, options) => {
        const entry = await findEntry(lake, reference, flags.path ?? false);
        const content = flags.content ? (await lake.retrieve(entry.id)).content : undefined;
        if (options.json) printJson(content === undefined ? entry : { ...entry, content });
        else printEntry(entry, content);
      });
    });
}

function printEntry(entry: Entry, content: string | undefined): void {
  const rows = [
    ['id', entry.id],
    ['path', entry.filePath],
    ['name', entry.name],
    ['type', entry.dataType],
    ['subpath', entry.subpath || '(none)'],
    ['size', `${entry.size} bytes (${formatBytes(entry.size)})`],
    ['sha256', entry.sha256],
    ['created', entry.createdAt],
    ['updated', entry.updatedAt ?? 'never'],
  ];
  for (const line of formatTable(rows.map(([key, value]) => [`${key}:`, value ?? '']))) printLine(line);
  const metadata = Object.entries(entry.metadata);
  if (metadata.length > 0) {
    printLine('metadata:');
    for (const [key, value] of metadata)
      printLine(`  ${key}: ${typeof value === 'string' ? value : JSON.stringify(value)}`);
  }
  if (content !== undefined) {
    printLine('content:');
    process.stdout.write(content.endsWith('\n') || content === '' ? content : `${content}\n`);
  }
}
