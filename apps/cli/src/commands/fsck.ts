import type { FsckProblem, FsckReport } from '@datalake/core';
import type { Command } from 'commander';
import { localLake, withLake } from '../context.js';
import { ExitCode } from '../errors.js';
import { formatBytes, printJson, printLine } from '../output.js';

export function registerFsck(program: Command): void {
  program
    .command('fsck')
    .description(
      'check the whole lake (records, path claims, content, search index); --repair fixes what it can',
    )
    .option('--repair', 'fix what can be fixed; what is moved aside goes to .quarantine/, nothing is deleted')
    .option('--quick', 'compare content sizes only, without reading content (fast on large lakes)')
    .addHelpText(
      'after',
      `
Finds records that are not valid or name another entry's path, stray objects, invalid or stale path
claims, entries without a claim, missing or damaged content, content no entry owns, unfinished writes,
and a search index that does not cover every entry. --repair moves bad records and orphaned content to
.quarantine/<run>/<original key> (with a note saying why), releases stale claims, recreates missing
ones, finishes abandoned writes and rebuilds the index. Missing or damaged content cannot be repaired:
re-ingest the file or restore it from a backup.

Exit code 0 when no problem is left, 1 when problems were found (or, with --repair, are left).
With --json, prints the library's report: { ok, repair, problems: [{ kind, key, id?, reason,
repairable, repaired?, repairError? }], remaining, checked, inProgress, quarantine?, durationMs }.

Examples:
  $ datalake fsck
  $ datalake fsck --repair
  $ datalake --lake s3://artifacts/team-a fsck --quick --json`,
    )
    .action(async (flags: { repair?: boolean; quick?: boolean }, command: Command) => {
      await withLake(command, async (lake, options) => {
        const report = await localLake(lake, 'fsck').fsck({
          repair: flags.repair === true,
          verifyContent: flags.quick ? 'size' : 'hash',
        });
        if (options.json) printJson(report);
        else printReport(report);
        if (!report.ok) process.exitCode = ExitCode.FAILURE;
      });
    });
}

function printReport(report: FsckReport): void {
  const { checked } = report;
  const verified =
    checked.contentBytesVerified > 0
      ? `, ${formatBytes(checked.contentBytesVerified)} of content hashed`
      : '';
  printLine(
    `checked ${checked.entries} entries, ${checked.records} records, ${checked.claims} claims, ${checked.contentObjects} content objects${verified}${checked.searchIndex ? ', the search index' : ''}`,
  );
  if (report.inProgress > 0) printLine(`writes in progress (not problems): ${report.inProgress}`);
  if (report.problems.length === 0) {
    printLine('no problems found');
    return;
  }
  printLine(`problems: ${report.problems.length}`);
  for (const problem of report.problems) printLine(`  ${describeProblem(problem)}`);
  if (report.quarantine) printLine(`quarantine: ${quote(report.quarantine)}`);
  const repaired = report.problems.length - report.remaining;
  if (report.repair) printLine(`repaired ${repaired}, left ${report.remaining}`);
  else if (report.remaining > 0) {
    const repairable = report.problems.filter((problem) => problem.repairable && !problem.repaired).length;
    if (repairable > 0) printLine(`${repairable} of them can be repaired: run datalake fsck --repair`);
  }
}

function describeProblem(problem: FsckProblem): string {
  const id = problem.id ? ` (entry ${problem.id})` : '';
  let outcome = '';
  if (problem.repaired) {
    const to = problem.repaired.to ? ` to ${quote(problem.repaired.to)}` : '';
    outcome = ` -> ${problem.repaired.action}${to}`;
  } else if (problem.repairError) {
    outcome = ` -> not repaired: ${oneLine(problem.repairError)}`;
  } else if (!problem.repairable) {
    outcome = ' -> cannot be repaired';
  }
  return `${problem.kind}  ${quote(problem.key)}${id}: ${oneLine(problem.reason)}${outcome}`;
}

/** A name as a JSON string: control characters and quotes escaped, so that no name can rewrite the terminal. */
function quote(text: string): string {
  return JSON.stringify(text);
}

/** Stored text can hold any character: escape controls and keep the line whole. */
function oneLine(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: escaping control characters is the point.
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (char) =>
    JSON.stringify(char).slice(1, -1),
  );
}
