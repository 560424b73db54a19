import type { Command } from 'commander';
import { withLake } from '../context.js';
import { displayName } from '../display.js';
import { ExitCode } from '../errors.js';
import { printJson, printLine } from '../output.js';

export function registerIndexMaintenance(program: Command): void {
  program
    .command('reindex')
    .description('rebuild the search index from the entries')
    .addHelpText(
      'after',
      '\nExamples:\n  $ datalake reindex\n  $ datalake --lake s3://artifacts/team-a reindex --json',
    )
    .action(async (_flags: unknown, command: Command) => {
      await withLake(command, async (lake, options) => {
        const report = await lake.reindex();
        if (options.json) printJson(report);
        else printReport('reindexed', report);
      });
    });

  program
    .command('check-index')
    .description('verify the search index against the entries (exit code 1 if it does not match)')
    .addHelpText('after', '\nExamples:\n  $ datalake check-index\n  $ datalake check-index --json')
    .action(async (_flags: unknown, command: Command) => {
      await withLake(command, async (lake, options) => {
        const report = await lake.checkIndex();
        if (options.json) printJson(report);
        else printReport('index check', report);
        if (report.ok === false) process.exitCode = ExitCode.FAILURE;
      });
    });
}

function printReport(title: string, report: object): void {
  printLine(`${title}:`);
  for (const [key, value] of Object.entries(report)) {
    printLine(`  ${key}: ${displayName(typeof value === 'string' ? value : JSON.stringify(value))}`);
  }
}
