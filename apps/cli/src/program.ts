import { Command, Option } from 'commander';
import { registerBackup } from './commands/backup.js';
import { registerCopy } from './commands/copy.js';
import { registerFsck } from './commands/fsck.js';
import { registerGet } from './commands/get.js';
import { registerHistory } from './commands/history.js';
import { registerIndexMaintenance } from './commands/index-maintenance.js';
import { registerIngest } from './commands/ingest.js';
import { registerLs } from './commands/ls.js';
import { registerRetention } from './commands/retention.js';
import { registerRm } from './commands/rm.js';
import { registerSearch } from './commands/search.js';
import { registerServe } from './commands/serve.js';
import { registerSettings } from './commands/settings.js';
import { registerShow } from './commands/show.js';
import { registerStats } from './commands/stats.js';
import { registerStore } from './commands/store.js';
import { registerToken } from './commands/token.js';
import { registerUpdate } from './commands/update.js';
import { DEFAULT_LAKE } from './lake-url.js';
import { isJsonOutput, writeStderr } from './output.js';

export const VERSION = '0.1.0';

/**
 * The `datalake` command with every subcommand registered. Commander throws instead of exiting and
 * prints no error of its own: `main` reports every error the same way (JSON with `--json`).
 */
export function createProgram(): Command {
  const program = new Command('datalake')
    .exitOverride()
    .configureOutput({
      outputError: () => {},
      // Help asked for by mistake (no command) goes to stderr, but never into --json error output.
      writeErr: (text) => {
        if (!isJsonOutput()) writeStderr(text);
      },
    })
    .description('Store, classify and search code artifacts (SQL schemas, VBA macros, configs, docs, logs).')
    .version(VERSION)
    .addOption(
      new Option(
        '-L, --lake <url>',
        `where the lake lives: a path or file: URL, memory:, s3://bucket/prefix, or a server's http(s):// URL (token in DATALAKE_TOKEN)`,
      )
        .env('DATALAKE_URL')
        .default(DEFAULT_LAKE),
    )
    .option(
      '--s3-endpoint <url>',
      'S3-compatible endpoint (default: S3_ENDPOINT, AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL)',
    )
    .option('--s3-region <region>', 'S3 region (default: AWS_REGION, AWS_DEFAULT_REGION)')
    .option(
      '--no-fsync',
      'disk lakes: skip fsync (much faster bulk loads; writes stay atomic, but the last ones may be lost on power failure)',
    )
    .option('--json', 'print results as JSON (the objects the library returns); errors as JSON on stderr')
    .option('--debug', 'on errors, also print the cause chain')
    .configureHelp({ showGlobalOptions: true, sortSubcommands: false })
    .addHelpText(
      'after',
      `
Exit codes: 0 ok; 1 part of the work failed (or an unexpected error); 2 usage error or invalid
input; 3 not found; 4 conflict, or refused by a retention hold or rule; 5 corrupt data; 6 storage
failure; 7 read-only lake; 130/143 interrupted (SIGINT/SIGTERM). With --json, an error is one line on stderr:
{"error":{"code":"NOT_FOUND","message":"...","details":{...}}}.

Examples:
  $ datalake ingest ./my-repo && datalake stats
  $ datalake search "CREATE TABLE" --type schema
  $ datalake --lake s3://artifacts/team-a ls --type macro
  $ DATALAKE_URL=memory: datalake ingest . --dry-run
  $ datalake --lake ./lake serve --port 8080
  $ DATALAKE_TOKEN=dlk_... datalake --lake http://lake.internal:8080 search invoice`,
    );
  for (const register of [
    registerIngest,
    registerStore,
    registerGet,
    registerShow,
    registerLs,
    registerSearch,
    registerUpdate,
    registerRm,
    registerHistory,
    registerRetention,
    registerStats,
    registerSettings,
    registerIndexMaintenance,
    registerFsck,
    registerServe,
    registerToken,
    registerBackup,
    registerCopy,
  ]) {
    register(program);
  }
  return program;
}
