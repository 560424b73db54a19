import { NotFoundError } from '@datalake/core';
import type { Command } from 'commander';
import { withLake } from '../context.js';
import { displayName } from '../display.js';
import { findEntry } from '../entry-ref.js';
import { ExitCode, errorJson } from '../errors.js';
import { isJsonOutput, printJson, printJsonLine, printLine, writeStderr } from '../output.js';

export function registerRm(program: Command): void {
  program
    .command('rm')
    .description('delete entries')
    .argument('<id...>', 'entry ids (or lake paths with --path)')
    .option('-p, --path', 'the arguments are lake paths, not ids')
    .option('--author <name>', 'who deletes them (kept with the deletion in their history)')
    .option('--message <text>', 'why')
    .addHelpText(
      'after',
      `
Exit code 3 (not found) if any of them did not exist; the others are still deleted. With --json,
prints [{ "id": ..., "deleted": true|false }] (delete() returns the boolean), and the missing ones
as one NOT_FOUND error on stderr.

Examples:
  $ datalake rm 6f1c2e9a-...
  $ datalake rm --path logs/app/2024-05-01.log logs/app/2024-05-02.log`,
    )
    .action(
      async (
        references: string[],
        flags: { path?: boolean; author?: string; message?: string },
        command: Command,
      ) => {
        await withLake(command, async (lake, options) => {
          const results: Array<{ id: string; deleted: boolean }> = [];
          for (const reference of references) {
            let id = reference;
            if (flags.path) {
              try {
                id = (await findEntry(lake, reference, true)).id;
              } catch (error) {
                if (!(error instanceof NotFoundError)) throw error;
                results.push({ id: reference, deleted: false });
                continue;
              }
            }
            results.push({
              id,
              deleted: await lake.delete(id, { author: flags.author, message: flags.message }),
            });
          }
          if (options.json) printJson(results);
          else
            for (const [index, result] of results.entries())
              if (result.deleted) printLine(`deleted ${displayName(references[index] as string)}`);
          const missing = references.filter((_reference, index) => !results[index]?.deleted);
          if (missing.length === 0) return;
          reportMissing(missing, flags.path ?? false);
          process.exitCode = ExitCode.NOT_FOUND;
        });
      },
    );
}

function reportMissing(missing: string[], byPath: boolean): void {
  const what = byPath ? 'at path' : 'with id';
  if (isJsonOutput()) {
    const message = `no entry ${what} ${missing.map((reference) => `"${reference}"`).join(', ')}`;
    const details = byPath ? { paths: missing } : { ids: missing };
    printJsonLine(errorJson(new NotFoundError(message, { details })));
    return;
  }
  for (const reference of missing) writeStderr(`error: no entry ${what} "${displayName(reference)}"\n`);
}
