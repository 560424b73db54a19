import { readFile } from 'node:fs/promises';
import type { RetentionMode, RetentionPlan } from '@datalake/core';
import type { Command } from 'commander';
import { localLake, withLake } from '../context.js';
import { displayName } from '../display.js';
import { UsageError } from '../errors.js';
import { parseDate } from '../options.js';
import { formatBytes, printJson, printLine } from '../output.js';

/** `retention rules|set-rules|plan|apply|hold|release|retain`: the lake's retention rules and holds. */
export function registerRetention(program: Command): void {
  const retention = program
    .command('retention')
    .description('retention rules, holds on entries, and purging what the rules let go')
    .addHelpText(
      'after',
      `
Works on the lake's storage (a path, memory: or s3:// URL). Every subcommand takes --json.

Examples:
  $ datalake retention set-rules rules.json --message "keep 10 versions of configs"
  $ datalake retention plan --json
  $ datalake retention hold 6f1c2e9a-... --reason "case 42"
  $ datalake retention retain 6f1c2e9a-... --until 2030-01-01 --mode compliance`,
    );

  retention
    .command('rules')
    .description('print the retention rules in force (--history: every version)')
    .option('--history', 'every version of the rules, newest first')
    .addHelpText('after', '\nExamples:\n  $ datalake retention rules --json')
    .action(async (flags: { history?: boolean }, command: Command) => {
      await withLake(command, async (lake) => {
        const { retention: policy } = localLake(lake, 'retention');
        printJson(flags.history ? await policy.rulesHistory() : await policy.rules());
      });
    });

  retention
    .command('set-rules')
    .description('replace the retention rules with those of a JSON file (a new version of the rules)')
    .argument('<file>', 'a JSON array of rules, or - for standard input')
    .option('--author <name>', 'who changes them')
    .option('--message <text>', 'why')
    .addHelpText(
      'after',
      `
A rule: { "name": "...", "match": { "dataType": "configuration", "pathPrefix": "configuration/prod",
"metadata": { "key": "tier", "value": "gold" } }, "keepLastVersions": 10, "keepNoncurrentDays": 90,
"purgeDeletedAfterDays": 365 } (match and each setting optional; at least one setting). With --json,
prints the new version of the rules.

Examples:
  $ datalake retention set-rules rules.json`,
    )
    .action(async (file: string, flags: { author?: string; message?: string }, command: Command) => {
      const text =
        file === '-'
          ? await readStdin()
          : await readFile(file, 'utf8').catch((error) => {
              throw new UsageError(`cannot read ${file}: ${(error as Error).message}`);
            });
      let rules: unknown;
      try {
        rules = JSON.parse(text);
      } catch {
        throw new UsageError(`${file} is not JSON`);
      }
      await withLake(command, async (lake, options) => {
        const saved = await localLake(lake, 'retention').retention.setRules(rules as never, flags);
        if (options.json) return printJson(saved);
        printLine(`retention rules are now version ${saved.version} (${saved.rules.length} rules)`);
      });
    });

  for (const name of ['plan', 'apply'] as const) {
    retention
      .command(name)
      .description(
        name === 'plan'
          ? 'dry run: which versions and deleted entries the rules let go, and the bytes freed'
          : 'remove what the rules let go (a second run finishes an interrupted one)',
      )
      .option('--now <time>', 'judge as at this moment instead of now (ISO-8601)', parseDate)
      .addHelpText(
        'after',
        `\nWith --json, prints the plan.\n\nExamples:\n  $ datalake retention ${name} --json`,
      )
      .action(async (flags: { now?: string }, command: Command) => {
        await withLake(command, async (lake, options) => {
          const { retention: policy } = localLake(lake, 'retention');
          const run = flags.now ? { now: flags.now } : {};
          const plan = name === 'plan' ? await policy.plan(run) : await policy.apply(run);
          if (options.json) return printJson(plan);
          printPlan(plan, name === 'plan' ? 'would go' : 'removed');
        });
      });
  }

  retention
    .command('hold')
    .description('put an entry under legal hold: no delete, no purge of any version, until released')
    .argument('<id>', 'entry id')
    .requiredOption('--reason <text>', 'why it is held')
    .option('--author <name>', 'who holds it')
    .addHelpText(
      'after',
      '\nWith --json, prints the entry\'s holds.\n\nExamples:\n  $ datalake retention hold 6f1c2e9a-... --reason "case 42"',
    )
    .action(async (id: string, flags: { reason: string; author?: string }, command: Command) => {
      await withLake(command, async (lake, options) => {
        const holds = await localLake(lake, 'retention').retention.setLegalHold(id, flags);
        if (options.json) return printJson(holds);
        printLine(`entry ${displayName(id)} is under legal hold`);
      });
    });

  retention
    .command('release')
    .description("release an entry's legal hold")
    .argument('<id>', 'entry id')
    .addHelpText(
      'after',
      "\nWith --json, prints the entry's holds.\n\nExamples:\n  $ datalake retention release 6f1c2e9a-...",
    )
    .action(async (id: string, _flags: unknown, command: Command) => {
      await withLake(command, async (lake, options) => {
        const holds = await localLake(lake, 'retention').retention.releaseLegalHold(id);
        if (options.json) return printJson(holds);
        printLine(`released the legal hold on ${displayName(id)}`);
      });
    });

  retention
    .command('retain')
    .description('keep an entry (no delete, no purge) until a date')
    .argument('<id>', 'entry id')
    .requiredOption('--until <time>', "ISO-8601 date, or 'none' to remove it", (value) =>
      value === 'none' ? 'none' : parseDate(value),
    )
    .option('--mode <mode>', 'governance (default: an override can shorten it) or compliance (nobody can)')
    .option('--override', 'shorten or remove a governance date (recorded)')
    .option('--author <name>', 'who sets it')
    .option('--message <text>', 'why')
    .addHelpText(
      'after',
      "\nWith --json, prints the entry's holds.\n\nExamples:\n  $ datalake retention retain 6f1c2e9a-... --until 2030-01-01 --mode compliance",
    )
    .action(
      async (
        id: string,
        flags: { until: string; mode?: string; override?: boolean; author?: string; message?: string },
        command: Command,
      ) => {
        if (flags.mode !== undefined && flags.mode !== 'governance' && flags.mode !== 'compliance')
          throw new UsageError(`--mode must be governance or compliance, got "${flags.mode}"`);
        await withLake(command, async (lake, options) => {
          const holds = await localLake(lake, 'retention').retention.setRetainUntil(id, {
            until: flags.until === 'none' ? null : flags.until,
            ...(flags.mode ? { mode: flags.mode as RetentionMode } : {}),
            ...(flags.override ? { override: true } : {}),
            ...(flags.author !== undefined ? { author: flags.author } : {}),
            ...(flags.message !== undefined ? { message: flags.message } : {}),
          });
          if (options.json) return printJson(holds);
          printLine(
            holds.retainUntil
              ? `entry ${displayName(id)} is retained until ${holds.retainUntil.until} (${holds.retainUntil.mode})`
              : `entry ${displayName(id)} has no retain-until date`,
          );
        });
      },
    );
}

function printPlan(plan: RetentionPlan, verb: string): void {
  const versions = plan.versions.reduce((sum, item) => sum + item.versions.length, 0);
  for (const item of plan.versions)
    printLine(
      `${displayName(item.filePath)}: versions ${item.versions.map((version) => version.version).join(', ')}`,
    );
  for (const item of plan.entries)
    printLine(`${displayName(item.filePath)}: deleted ${item.deletedAt}, whole history`);
  printLine(
    `${versions} versions and ${plan.entries.length} deleted entries ${verb}; ${plan.blobs.length} contents, ${formatBytes(plan.bytesFreed)} freed`,
  );
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
