import type { ChangeNote, EntryHistory, Lake } from '@datalake/core';
import type { Command } from 'commander';
import { withLake } from '../context.js';
import { displayName } from '../display.js';
import { findEntry } from '../entry-ref.js';
import { parsePositiveInteger } from '../options.js';
import { formatBytes, formatTable, printJson, printLine } from '../output.js';

interface NoteFlags {
  author?: string;
  message?: string;
}

/** `history`, `restore`, `undelete` and `diff`: an entry's versions and what can be done with them. */
export function registerHistory(program: Command): void {
  program
    .command('history')
    .description("list an entry's versions, newest first (deletions too)")
    .argument('<id>', 'entry id (or lake path with --path)')
    .option('-p, --path', 'the argument is a lake path, not an id')
    .option(
      '-n, --limit <count>',
      'versions per page (default 100, at most 1000)',
      parsePositiveInteger('--limit'),
    )
    .option('--cursor <cursor>', 'continue after the page that printed this cursor')
    .addHelpText(
      'after',
      `
With --json, prints what history() returns: { id, filePath, deleted, versions, cursor? }.

Examples:
  $ datalake history 6f1c2e9a-...
  $ datalake history --path configuration/app.cfg --limit 10 --json`,
    )
    .action(
      async (reference: string, flags: { path?: boolean; limit?: number; cursor?: string }, command) => {
        await withLake(command, async (lake, options) => {
          const id = flags.path ? (await findEntry(lake, reference, true)).id : reference;
          const page = await lake.history(id, {
            ...(flags.limit ? { limit: flags.limit } : {}),
            ...(flags.cursor ? { cursor: flags.cursor } : {}),
          });
          if (options.json) return printJson(page);
          printHistory(page);
        });
      },
    );

  program
    .command('restore')
    .description('make an old version of an entry current again (as a new version)')
    .argument('<id>', 'entry id (or lake path with --path)')
    .argument('<version>', 'the version to restore', parsePositiveInteger('version'))
    .option('-p, --path', 'the argument is a lake path, not an id')
    .option('--author <name>', 'who restores it (kept with the new version)')
    .option('--message <text>', 'why (kept with the new version)')
    .addHelpText(
      'after',
      `
With --json, prints the entry as it now is.

Examples:
  $ datalake restore 6f1c2e9a-... 3 --message "roll back the port change"`,
    )
    .action(async (reference: string, version: number, flags: NoteFlags & { path?: boolean }, command) => {
      await withLake(command, async (lake, options) => {
        const id = flags.path ? (await findEntry(lake, reference, true)).id : reference;
        const entry = await lake.restore(id, version, noteOf(flags));
        if (options.json) return printJson(entry);
        printLine(`restored ${displayName(entry.filePath)} to version ${version}`);
      });
    });

  program
    .command('undelete')
    .description('bring a deleted entry back, as it was when deleted')
    .argument('<id...>', 'entry ids')
    .option('--author <name>', 'who brings it back')
    .option('--message <text>', 'why')
    .addHelpText(
      'after',
      `
With --json, prints the entries brought back. A path another entry has taken since is a conflict (exit 4).

Examples:
  $ datalake undelete 6f1c2e9a-...`,
    )
    .action(async (ids: string[], flags: NoteFlags, command) => {
      await withLake(command, async (lake, options) => {
        const entries = [];
        for (const id of ids) entries.push(await lake.undelete(id, noteOf(flags)));
        if (options.json) return printJson(entries);
        for (const entry of entries) printLine(`undeleted ${displayName(entry.filePath)}`);
      });
    });

  program
    .command('diff')
    .description('show what changed between two versions of an entry (metadata and content)')
    .argument('<id>', 'entry id (or lake path with --path)')
    .argument('<from>', 'the older version', parsePositiveInteger('from'))
    .argument('[to]', 'the newer version (default: the newest)', parsePositiveInteger('to'))
    .option('-p, --path', 'the argument is a lake path, not an id')
    .addHelpText(
      'after',
      `
Prints a unified diff; binary content is named, not listed. With --json, prints what diff() returns:
{ id, from, to, binary, metadata, content } (the last two are unified diff texts, '' when equal).

Examples:
  $ datalake diff 6f1c2e9a-... 1 2
  $ datalake diff --path schema/billing/tables.sql 4 --json`,
    )
    .action(
      async (reference: string, from: number, to: number | undefined, flags: { path?: boolean }, command) => {
        await withLake(command, async (lake, options) => {
          const id = flags.path ? (await findEntry(lake, reference, true)).id : reference;
          const diff = await lake.diff(id, from, to ?? (await newestVersion(lake, id)));
          if (options.json) return printJson(diff);
          const text = `${diff.metadata}${diff.content}`;
          if (text === '') printLine(`versions ${diff.from} and ${diff.to} are the same`);
          else process.stdout.write(text);
        });
      },
    );
}

async function newestVersion(lake: Lake, id: string): Promise<number> {
  const [newest] = (await lake.history(id, { limit: 1 })).versions;
  return newest?.version ?? 1;
}

function noteOf(flags: NoteFlags): ChangeNote {
  return {
    ...(flags.author !== undefined ? { author: flags.author } : {}),
    ...(flags.message !== undefined ? { message: flags.message } : {}),
  };
}

function printHistory(page: EntryHistory): void {
  printLine(`${displayName(page.filePath)}${page.deleted ? ' (deleted)' : ''}`);
  const rows = page.versions.map((version) =>
    [
      String(version.version),
      version.at,
      version.restoredFrom ? `restore of ${version.restoredFrom}` : version.op,
      version.deleted ? '-' : formatBytes(version.size),
      version.author ?? '',
      version.message ?? '',
    ].map((cell) => displayName(cell)),
  );
  for (const line of formatTable(rows)) printLine(line);
  if (page.cursor) printLine(`more: --cursor ${page.cursor}`);
}
