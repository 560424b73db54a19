import type { Lake } from '@datalake/core';
import type { CopyReport } from '@datalake/transfer';
import type { Command } from 'commander';
import { globalOptions } from '../context.js';
import { displayName } from '../display.js';
import { ExitCode, UsageError } from '../errors.js';
import { formatBytes, isJsonOutput, printJson, printLine, printNotice } from '../output.js';
import { withLakes } from '../transfer-lakes.js';
import { transferProgress } from '../transfer-progress.js';

interface CopyFlags {
  from?: string;
  to: string;
  verify?: boolean;
  prune?: boolean;
  dryRun?: boolean;
  concurrency: string;
  progress: boolean;
}

export function registerCopy(program: Command): void {
  program
    .command('copy')
    .description('copy every entry from one lake to another, of any backends (disk, S3, memory, a server)')
    .option('--from <lake-url>', 'the source lake (default: --lake)')
    .requiredOption('--to <lake-url>', 'the target lake (a disk lake is created if missing)')
    .option('--verify', 'read every copied entry back from the target and compare its SHA-256')
    .option('--prune', "delete the target's entries that the source does not have")
    .option('--dry-run', 'say what would be copied, change nothing')
    .option('--concurrency <n>', 'entries copied at once', '8')
    .option('--no-progress', 'no progress bar or progress lines')
    .addHelpText(
      'after',
      `
Entries are matched by path: one the target lacks is stored, one with other content or metadata is
updated, an equal one is skipped, so running the copy again copies only what changed. Contents
stream from one lake to the other, never held whole. Between two lakes opened here (disk, S3,
memory), entries keep their ids, timestamps and every version, and deleted entries, retention rules
and holds come along; an entry changed since the last copy is brought forward along its history.
A lake behind a server gets each entry's current version only, with new ids.

Exit code 0 when everything was copied, 1 when some entries failed. With --json, prints { dryRun,
entries, created, updated, unchanged, pruned, extra, verified, vanished, bytes, history,
deletedEntries, failed }.

Examples:
  $ datalake copy --from ./.datalake --to s3://artifacts/team-a --verify
  $ datalake --lake s3://artifacts/team-a copy --to /backup/team-a`,
    )
    .action(async (flags: CopyFlags, command: Command) => {
      const concurrency = Number(flags.concurrency);
      if (!Number.isSafeInteger(concurrency) || concurrency < 1 || concurrency > 256)
        throw new UsageError(`--concurrency must be a whole number from 1 to 256, got ${flags.concurrency}`);
      const from = flags.from ?? globalOptions(command).lake ?? process.env.DATALAKE_URL ?? './.datalake';
      const json = isJsonOutput();
      const lakes = [
        { url: from, create: false },
        { url: flags.to, create: !flags.dryRun, emptyIfMissing: flags.dryRun === true },
      ];
      const report = await withLakes(command, lakes, async ([source, target]) => {
        const progress = transferProgress(flags.progress, json);
        try {
          return await (await import('@datalake/transfer')).copyLake(source as Lake, target as Lake, {
            verify: flags.verify === true,
            prune: flags.prune === true,
            dryRun: flags.dryRun === true,
            concurrency,
            onProgress: (step) => progress.update(step),
          });
        } finally {
          progress.stop();
        }
      });
      if (json) printJson(report);
      else printCopied(report);
      if (report.failed.length > 0) process.exitCode = ExitCode.FAILURE;
    });
}

function printCopied(report: CopyReport): void {
  const verb = report.dryRun ? 'would copy' : 'copied';
  const verified = report.verified > 0 ? `, ${report.verified} read back and verified` : '';
  printLine(
    `${verb} ${report.entries} entries: ${report.created} created, ${report.updated} updated, ${report.unchanged} unchanged, ${report.pruned} pruned, ${report.extra} extra left alone${verified}; ${formatBytes(report.bytes)}`,
  );
  if (report.vanished > 0) printLine(`  ${report.vanished} deleted from the source while copying`);
  for (const failure of report.failed)
    printNotice(`failed: ${displayName(failure.filePath)}: ${displayName(failure.reason)}`);
}
