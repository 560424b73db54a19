import type { Entry, Lake } from '@datalake/core';
import type { Command } from 'commander';
import { withLake } from '../context.js';
import { displayName } from '../display.js';
import { findEntry } from '../entry-ref.js';
import { formatBytes, formatTable, printJson, printLine, streamToStdout, writeStdout } from '../output.js';
import { isBinary, peekHead, TerminalText, textEncodingOf } from '../terminal-content.js';

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
    .option('-c, --content', 'also print the content')
    .addHelpText(
      'after',
      `
With --content, the content follows the details: its exact bytes when the output is a file or a
pipe; on a terminal, text decoded in its own encoding with control characters escaped, and binary
content only summarised (use "datalake get" to write it out).
With --json, prints the entry as the library returns it (retrieve() without the raw bytes; the
UTF-8 decoded "content" only with --content).

Examples:
  $ datalake show 6f1c2e9a-...
  $ datalake show --path config/deploy/app.yaml --content
  $ datalake show --path config/deploy/app.yaml --json`,
    )
    .action(async (reference: string, flags: ShowFlags, command: Command) => {
      await withLake(command, async (lake, options) => {
        const entry = await findEntry(lake, reference, flags.path ?? false);
        if (options.json) {
          const content = flags.content ? (await lake.retrieve(entry.id)).content : undefined;
          printJson(content === undefined ? entry : { ...entry, content });
          return;
        }
        printEntry(entry);
        if (flags.content) await printContent(lake, entry);
      });
    });
}

function printEntry(entry: Entry): void {
  // Every field comes from a stored record, which is data: all of them are escaped.
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
  for (const line of formatTable(rows.map(([key, value]) => [`${key}:`, displayName(String(value))])))
    printLine(line);
  const metadata = Object.entries(entry.metadata);
  if (metadata.length > 0) {
    printLine('metadata:');
    for (const [key, value] of metadata) {
      const text = typeof value === 'string' ? value : JSON.stringify(value);
      printLine(`  ${displayName(key)}: ${displayName(text)}`);
    }
  }
}

/** Exact bytes into a file or pipe; on a terminal, escaped text, and binary content only summarised. */
async function printContent(lake: Lake, entry: Entry): Promise<void> {
  printLine('content:');
  const { stream } = await lake.readStream(entry.id);
  if (!process.stdout.isTTY) {
    await streamToStdout(stream);
    return;
  }
  const peeked = await peekHead(stream);
  if (isBinary(peeked.head)) {
    await peeked.rest.return?.();
    printLine(
      `  (binary, ${formatBytes(entry.size)}: not printed on a terminal; ` +
        `write it out with "datalake get ${entry.id} --output FILE", or pipe this output)`,
    );
    return;
  }
  const encoding = textEncodingOf(peeked.head, peeked.complete);
  const text = new TerminalText(encoding === 'binary' ? 'latin-1' : encoding);
  let last = '';
  for await (const chunk of peeked.all) {
    const shown = text.write(chunk);
    writeStdout(shown);
    if (shown) last = shown;
  }
  const tail = text.end();
  writeStdout(tail);
  if (tail) last = tail;
  if (last !== '' && !last.endsWith('\n')) writeStdout('\n');
}
