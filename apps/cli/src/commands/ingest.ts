import { resolve } from 'node:path';
import { type IngestSummary, ingestTree, type ProgressReporter, silentProgress } from '@datalake/ingest';
import type { Command } from 'commander';
import { globalOptions, lakeLocation, withLake } from '../context.js';
import { displayName } from '../display.js';
import { ExitCode, tidyReason } from '../errors.js';
import { barProgress, jsonProgress, lineProgress } from '../ingest-progress.js';
import { assertFolder } from '../input-files.js';
import { collectStrings, maxSizeOption, parsePositiveInteger } from '../options.js';
import { formatBytes, formatTable, printJson, printLine, printNotice } from '../output.js';

interface IngestFlags {
  exclude?: string[];
  subpath?: string;
  maxSize: number;
  concurrency: number;
  dryRun?: boolean;
  prune?: boolean;
  progress: boolean;
}

export function registerIngest(program: Command): void {
  program
    .command('ingest')
    .description('walk a folder, classify every file and store it (idempotent: unchanged files are skipped)')
    .argument('<dir>', 'folder to ingest')
    .option(
      '--exclude <glob>',
      'leave out matching paths (repeatable; a glob without "/" matches any name)',
      collectStrings,
    )
    .option('--subpath <folder>', 'put the whole tree below this folder in the lake')
    .addOption(maxSizeOption('skip (and report) files larger than this, e.g. 10MiB'))
    .option('--concurrency <n>', 'files processed at once', parsePositiveInteger('--concurrency'), 16)
    .option('--dry-run', 'classify and show what would happen, store nothing')
    .option('--prune', 'remove entries of earlier ingests of this folder whose files are gone')
    .option('--no-progress', 'no progress bar or progress lines')
    .addHelpText(
      'after',
      `
Files are walked respecting .gitignore files at every level; .git, .hg, .svn, node_modules and
similar folders are skipped; other dotfiles are ordinary artifacts. Each file is stored byte-exact at
<type>/<subpath>/<folder>/<name> with metadata sourcePath, sourceRoot, encoding, language, lineCount,
classifiedBy, sourceModifiedAt and ingestedAt (and sourcePathBytes for a path that is not UTF-8).
Symbolic links are not followed; they and special files are listed as left out. Exit code 1 if any
file failed (the others are stored).

Examples:
  $ datalake ingest ./my-repo
  $ datalake ingest ./exports --exclude '*.bak' --exclude 'tmp/**' --prune
  $ datalake ingest . --dry-run
  $ datalake --lake s3://artifacts/team-a ingest ./warehouse --subpath warehouse --json`,
    )
    .action(async (dir: string, flags: IngestFlags, command: Command) => {
      await assertFolder(dir);
      const options = globalOptions(command);
      const location = lakeLocation(options);
      const summary = await withLake(
        command,
        (lake) =>
          ingestTree(lake, {
            root: dir,
            exclude: flags.exclude,
            subpath: flags.subpath,
            maxSize: flags.maxSize,
            concurrency: flags.concurrency,
            dryRun: flags.dryRun ?? false,
            prune: flags.prune ?? false,
            skipAbsolute: location.kind === 'disk' ? [location.root] : [],
            progress: chooseProgress(flags.progress, options.json ?? false),
          }),
        // A dry run plans against the lake if it exists, and never creates it.
        { indexWorker: !flags.dryRun, create: !flags.dryRun, emptyIfMissing: flags.dryRun ?? false },
      );
      if (options.json) printJson(summary);
      else printSummary(summary, resolve(dir));
      if (summary.failed > 0) process.exitCode = ExitCode.FAILURE;
    });
}

function chooseProgress(enabled: boolean, json: boolean): ProgressReporter {
  if (!enabled) return silentProgress;
  if (json) return jsonProgress();
  if (process.stderr.isTTY) return barProgress();
  return lineProgress(printNotice);
}

function printSummary(summary: IngestSummary, dir: string): void {
  if (summary.outcomes) {
    const rows = summary.outcomes.map((outcome) => [
      outcome.action,
      outcome.dataType,
      outcome.language,
      displayName(outcome.path),
    ]);
    for (const line of formatTable(rows)) printLine(line);
    for (const path of summary.prunedPaths ?? []) printLine(`prune  ${displayName(path)}`);
    printLine();
  }
  const verb = summary.dryRun ? 'would ingest' : 'ingested';
  const seconds = (summary.durationMs / 1000).toFixed(2);
  printLine(
    `${verb} ${summary.files} files (${formatBytes(summary.bytes)}) from ${displayName(dir)} in ${seconds} s`,
  );
  const concurrently =
    summary.storedConcurrently > 0 ? ` (${summary.storedConcurrently} stored concurrently)` : '';
  printLine(
    `  stored ${summary.stored}, updated ${summary.updated}, moved ${summary.moved}, skipped ${summary.skipped}${concurrently}, ` +
      `repaired ${summary.repaired}, failed ${summary.failed}, pruned ${summary.pruned}, ignored ${summary.ignored}`,
  );
  const leftOut = Object.entries(summary.skippedByReason).filter(([, count]) => count > 0);
  if (leftOut.length > 0)
    printLine(
      `  not regular files, left out: ${leftOut.map(([reason, count]) => `${reason} ${count}`).join(', ')}`,
    );
  const types = Object.entries(summary.byType).filter(([, count]) => count > 0);
  if (types.length > 0)
    printLine(`  by type: ${types.map(([type, count]) => `${type} ${count}`).join(', ')}`);
  for (const skipped of summary.skippedFiles)
    printNotice(`left out (${skipped.reason}): ${displayName(skipped.path)}`);
  for (const failure of summary.failures)
    printNotice(`failed: ${displayName(failure.path)}: ${displayName(tidyReason(failure.error))}`);
}
