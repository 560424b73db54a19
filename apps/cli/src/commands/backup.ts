import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import type { Lake } from '@datalake/core';
import type { BackupReport, RestoreReport, VerifyReport } from '@datalake/transfer';
import type { Command } from 'commander';
import { globalOptions } from '../context.js';
import { displayName } from '../display.js';
import { ExitCode, UsageError } from '../errors.js';
import { DEFAULT_LAKE } from '../lake-url.js';
import { formatBytes, isJsonOutput, printJson, printLine, printNotice } from '../output.js';
import { withLakes } from '../transfer-lakes.js';
import { transferProgress } from '../transfer-progress.js';

interface CreateFlags {
  out: string;
  gzip?: boolean;
  since?: string;
  progress: boolean;
}

interface VerifyFlags {
  against?: string;
  progress: boolean;
}

interface RestoreFlags {
  into: string;
  base?: string[];
  dryRun?: boolean;
  prune?: boolean;
  overwrite?: boolean;
  progress: boolean;
}

export function registerBackup(program: Command): void {
  const backup = program
    .command('backup')
    .description('back up the lake into one archive, check an archive, restore one into a lake');

  backup
    .command('create')
    .description('write a backup of the lake (--lake) as one tar archive')
    .requiredOption('-o, --out <file>', 'the archive: a .tar or .tar.gz file, or - for standard output')
    .option('--gzip', 'compress with gzip (the default for a file name ending in .gz)')
    .option('--since <backup>', 'an earlier backup: leave out the contents it holds (restore then needs it)')
    .option('--no-progress', 'no progress bar or progress lines')
    .addHelpText(
      'after',
      `
The archive holds a manifest first (every entry with its metadata and every version of its history,
deleted entries, retention rules and holds), each distinct content once, and checksums last; it is written as it goes, in bounded memory. Writers may keep working: every
entry is at a version that existed when the backup started, or a later one. A file is written under
a temporary name and renamed when complete.

Exit code 0 when every entry is in the backup, 1 when some could not be read (damaged content:
run fsck). With --json, prints { backupId, createdAt, since, format, entries, deleted, versions, contents,
contentBytes, contentsInBase, amended, removed, unreadable, archiveBytes }.

Examples:
  $ datalake backup create --out lake-2026-12-01.tar.gz
  $ datalake --lake s3://artifacts/team-a backup create --out - | ssh vault 'cat > team-a.tar'
  $ datalake backup create --out monday.tar --since sunday.tar`,
    )
    .action(async (flags: CreateFlags, command: Command) => {
      const gzip = flags.gzip ?? /\.(t?gz)$/i.test(flags.out);
      const json = isJsonOutput();
      const { lake: url } = globalOptions(command);
      const source = [{ url: url ?? process.env.DATALAKE_URL ?? DEFAULT_LAKE, create: false }];
      const report = await withLakes(command, source, async ([lake]) => {
        const progress = transferProgress(flags.progress && flags.out !== '-', json);
        try {
          const run = async (output: Writable) =>
            (await import('@datalake/transfer')).createBackup(lake as Lake, {
              output,
              gzip,
              ...(flags.since ? { since: flags.since } : {}),
              onProgress: (step) => progress.update(step),
            });
          return flags.out === '-' ? await run(process.stdout) : await writeAtomically(flags.out, run);
        } finally {
          progress.stop();
        }
      });
      if (json) printJson(report);
      else printCreated(report, flags.out);
      if (report.unreadable.length > 0) process.exitCode = ExitCode.FAILURE;
    });

  backup
    .command('verify')
    .description(
      'check a backup archive: structure, every hash, checksums; --against compares it with a lake',
    )
    .argument('<file>', 'the archive (- for standard input)')
    .option(
      '--against <lake-url>',
      'also report the entries missing from, differing in, or extra in this lake',
    )
    .option('--no-progress', 'no progress bar or progress lines')
    .addHelpText(
      'after',
      `
Exit code 0 when the archive is whole (and, with --against, the lake holds exactly its entries);
1 when the lake differs; 5 when the archive is broken, truncated or tampered with.
With --json, prints { backupId, createdAt, since, entries, contents, contentsInBase, contentBytes,
members, voidMembers, against?: { missing, differing, extra, matches } }.

Examples:
  $ datalake backup verify lake-2026-12-01.tar.gz
  $ datalake backup verify lake.tar --against s3://artifacts/team-a
  $ ssh vault 'cat team-a.tar' | datalake backup verify -`,
    )
    .action(async (file: string, flags: VerifyFlags, command: Command) => {
      const json = isJsonOutput();
      const source = file === '-' ? (process.stdin as AsyncIterable<Uint8Array>) : file;
      const progress = transferProgress(flags.progress, json);
      const verify = async (against?: Lake) =>
        (await import('@datalake/transfer')).verifyBackup(source, {
          ...(against ? { against } : {}),
          onProgress: (step) => progress.update(step),
        });
      let report: VerifyReport;
      try {
        report = flags.against
          ? await withLakes(command, [{ url: flags.against, create: false }], ([lake]) => verify(lake))
          : await verify();
      } finally {
        progress.stop();
      }
      if (json) printJson(report);
      else printVerified(report);
      if (report.against && !report.against.matches) process.exitCode = ExitCode.FAILURE;
    });

  backup
    .command('restore')
    .description('restore a backup archive into a lake')
    .argument('<file>', 'the archive')
    .requiredOption('--into <lake-url>', 'the lake to restore into (a path, memory:, s3:// or a server URL)')
    .option('--base <backup...>', 'the earlier backups a --since backup needs')
    .option('--dry-run', 'say what would be done, change nothing')
    .option('--prune', "delete the lake's entries that are not in the backup")
    .option(
      '--overwrite',
      'replace entries whose content or metadata differ from the backup (default: keep them)',
    )
    .option('--no-progress', 'no progress bar or progress lines')
    .addHelpText(
      'after',
      `
The whole archive is checked first; a broken or hostile one (absolute paths, "..", links, members
larger than the manifest says, truncation, a wrong checksum, a decompression bomb) is refused with
exit code 5 and nothing written. Then entries the lake lacks are stored, each whole or not at all.
Nothing is deleted without --prune, nothing replaced without --overwrite. A restore stopped halfway
and run again skips what is done. Entries keep their ids, timestamps and every version (history,
asOf, undelete and diff answer as in the backed-up lake); deleted entries, retention rules and holds
come along. Archives written before history (format 1) restore too, ids and timestamps kept. A lake
behind a server takes each entry's current version only, with new ids.

Exit code 0 when everything was restored, 1 when some entries failed (run it again).
With --json, prints { dryRun, backupId, backupCreatedAt, history, entries, created, advanced,
replaced, unchanged, kept, pruned, extra, deletedEntries, keptContents, failed, bytes }.

Examples:
  $ datalake backup restore lake.tar.gz --into ./restored --dry-run
  $ datalake backup restore monday.tar --base sunday.tar --into s3://artifacts/team-a`,
    )
    .action(async (file: string, flags: RestoreFlags, command: Command) => {
      if (file === '-')
        throw new UsageError('restore reads the archive twice (check, then restore): give a file');
      const json = isJsonOutput();
      const report = await withLakes(
        command,
        [{ url: flags.into, create: !flags.dryRun, emptyIfMissing: flags.dryRun === true }],
        async ([lake]) => {
          const progress = transferProgress(flags.progress, json);
          try {
            return await (await import('@datalake/transfer')).restoreBackup(file, lake as Lake, {
              bases: flags.base ?? [],
              dryRun: flags.dryRun === true,
              prune: flags.prune === true,
              overwrite: flags.overwrite === true,
              onProgress: (step) => progress.update(step),
            });
          } finally {
            progress.stop();
          }
        },
      );
      if (json) printJson(report);
      else printRestored(report);
      if (report.failed.length > 0) process.exitCode = ExitCode.FAILURE;
    });
}

/** Writes to a temporary file beside `path`, renamed to it once the backup is complete. */
async function writeAtomically<T>(path: string, write: (output: Writable) => Promise<T>): Promise<T> {
  const temporary = join(dirname(path), `.${basename(path)}.${process.pid}.partial`);
  const output = createWriteStream(temporary, { flags: 'wx' });
  try {
    const result = await write(output);
    await finished(output);
    await rename(temporary, path);
    return result;
  } catch (error) {
    output.destroy();
    await rm(temporary, { force: true });
    throw error;
  }
}

function printCreated(report: BackupReport, out: string): void {
  const where = out === '-' ? 'standard output' : displayName(out);
  printNotice(
    `backed up ${report.entries} entries, ${report.contents} contents (${formatBytes(report.contentBytes)}) to ${where}, ${formatBytes(report.archiveBytes)}`,
  );
  if (report.since)
    printNotice(`  since backup ${report.since.backupId}: ${report.contentsInBase} contents left to it`);
  if (report.amended || report.removed)
    printNotice(
      `  changed while backing up: ${report.amended} taken at a later version, ${report.removed} deleted`,
    );
  for (const entry of report.unreadable)
    printNotice(`left out (unreadable): ${displayName(entry.filePath)}: ${displayName(entry.reason)}`);
}

function printVerified(report: VerifyReport): void {
  printLine(
    `backup ${report.backupId} of ${report.createdAt}: ${report.entries} entries, ${report.contents} contents, ${formatBytes(report.contentBytes)} checked: ok`,
  );
  if (report.since)
    printLine(`  made --since backup ${report.since.backupId}: ${report.contentsInBase} contents are in it`);
  const against = report.against;
  if (!against) return;
  for (const path of against.missing) printLine(`missing   ${displayName(path)}`);
  for (const item of against.differing) {
    const what = [item.content ? 'content' : '', item.metadata ? 'metadata' : ''].filter(Boolean).join(', ');
    printLine(`differs   ${displayName(item.filePath)} (${what})`);
  }
  for (const path of against.extra) printLine(`extra     ${displayName(path)}`);
  printLine(
    against.matches
      ? 'the lake holds exactly the backup'
      : `the lake differs: ${against.missing.length} missing, ${against.differing.length} differing, ${against.extra.length} extra`,
  );
}

function printRestored(report: RestoreReport): void {
  const verb = report.dryRun ? 'would restore' : 'restored';
  for (const path of report.created)
    printLine(`${report.dryRun ? 'create' : 'created'}   ${displayName(path)}`);
  for (const path of report.advanced)
    printLine(`${report.dryRun ? 'advance' : 'advanced'}  ${displayName(path)}`);
  for (const path of report.replaced)
    printLine(`${report.dryRun ? 'replace' : 'replaced'}  ${displayName(path)}`);
  for (const path of report.pruned)
    printLine(`${report.dryRun ? 'prune' : 'pruned'}    ${displayName(path)}`);
  for (const path of report.kept)
    printLine(`kept      ${displayName(path)} (differs from the backup; --overwrite replaces it)`);
  printLine(
    `${verb} backup ${report.backupId}: ${report.created.length} created, ${report.advanced.length} advanced, ${report.replaced.length} replaced, ${report.unchanged} already there, ${report.kept.length} kept, ${report.pruned.length} pruned, ${report.extra} extra left alone, ${report.deletedEntries} deleted entries with history, ${report.failed.length} failed`,
  );
  for (const failure of report.failed)
    printNotice(`failed: ${displayName(failure.filePath)}: ${displayName(failure.reason)}`);
}
