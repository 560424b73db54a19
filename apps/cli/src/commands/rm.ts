import { NotFoundError } from '@datalake/core';
import type { Command } from 'commander';
import { withLake } from '../context.js';
import { findEntry } from '../entry-ref.js';
import { ExitCode } from '../errors.js';
import { printJson, printLine, printNotice } from '../output.js';

export function registerRm(program: Command): void {
  program
    .command('rm')
    .description('delete entries')
    .argument('<id...>', 'entry ids (or lake paths with --path)')
    .option('-p, --path', 'the arguments are lake paths, not ids')
    .addHelpText(
      'after',
      `
Exit code 1 if any of them did not exist (the others are still deleted). With --json, prints
[{ "id": ..., "deleted": true|false }] (delete() returns the boolean).

Examples:
  $ datalake rm 6f1c2e9a-...
  $ datalake rm --path logs/app/2024-05-01.log logs/app/2024-05-02.log`,
    )
    .action(async (references: string[], flags: { path?: boolean }, command: Command) => {
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
          results.push({ id, deleted: await lake.delete(id) });
        }
        if (options.json) printJson(results);
        for (const [index, result] of results.entries()) {
          if (!options.json && result.deleted) printLine(`deleted ${references[index]}`);
          if (!result.deleted)
            printNotice(`error: no entry ${flags.path ? 'at path' : 'with id'} "${references[index]}"`);
        }
        if (results.some((result) => !result.deleted)) process.exitCode = ExitCode.FAILURE;
      });
    });
}
