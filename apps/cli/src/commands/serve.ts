import type { Command } from 'commander';
import { globalOptions, lakeLocation } from '../context.js';
import { UsageError } from '../errors.js';
import { ownSignals } from '../interrupts.js';
import { describeLocation, openLocalLake, s3SettingsFromEnvironment } from '../lake-url.js';
import { parseDataType, parseSize } from '../options.js';
import { printNotice } from '../output.js';

interface ServeFlags {
  port: number;
  host: string;
  maxBody: number;
  refreshInterval: number;
  requestTimeout: number;
  anonymousRead?: boolean;
  anonymousType?: string;
  anonymousPrefix?: string;
  log: boolean;
}

const parsePort = (value: string) => {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new UsageError(`--port must be 0 to 65535, got "${value}"`);
  return port;
};

const parseMilliseconds = (name: string) => (value: string) => {
  const ms = Number(value);
  if (!Number.isInteger(ms) || ms < 0)
    throw new UsageError(`${name} must be a whole number of milliseconds, got "${value}"`);
  return ms;
};

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('serve the lake over HTTP: the whole API, access tokens with grants, an audit log')
    .option('-p, --port <port>', 'port to listen on (0: any free port)', parsePort, 8080)
    .option('--host <host>', 'address to listen on (0.0.0.0 for every interface)', '127.0.0.1')
    .option(
      '--max-body <size>',
      'largest content accepted by store and update (413 beyond)',
      parseSize,
      256 * 1024 * 1024,
    )
    .option(
      '--refresh-interval <ms>',
      'how often other instances\u2019 writes and token changes are picked up (0: never)',
      parseMilliseconds('--refresh-interval'),
      1000,
    )
    .option(
      '--request-timeout <ms>',
      'time allowed to receive a whole request',
      parseMilliseconds('--request-timeout'),
      600_000,
    )
    .option(
      '--anonymous-read',
      'let requests without a token read (only with this option; see --anonymous-type/--anonymous-prefix)',
    )
    .option('--anonymous-type <type>', 'with --anonymous-read: only entries of this data type', parseDataType)
    .option('--anonymous-prefix <folder>', 'with --anonymous-read: only entries below this folder')
    .option('--no-log', 'no request log (default: one JSON line per request on stdout)')
    .addHelpText(
      'after',
      `
Every request needs a token (Authorization: Bearer dlk_...), except /healthz, /readyz and
/openapi.json. Create the first one on the lake itself, then more through the API or this command:
  $ datalake --lake ./lake token create --admin --name ops

Examples:
  $ datalake --lake ./lake serve
  $ datalake --lake ./lake --no-fsync serve --port 9000 --host 0.0.0.0
  $ AWS_PROFILE=lake datalake --lake s3://artifacts/team-a serve --refresh-interval 500
  $ datalake --lake ./docs-lake serve --anonymous-read --anonymous-type documentation

SIGTERM or Ctrl-C stops it gracefully: requests in flight finish, nothing is left half-written.
Several instances may serve one lake (a shared folder or bucket); each picks up the others' writes
and token changes within --refresh-interval plus one refresh.`,
    )
    .action(async (flags: ServeFlags, command: Command) => {
      if (!flags.anonymousRead && (flags.anonymousType || flags.anonymousPrefix))
        throw new UsageError('--anonymous-type and --anonymous-prefix need --anonymous-read');
      const options = globalOptions(command);
      const location = lakeLocation(options);
      if (location.kind === 'remote')
        throw new UsageError('serve needs the lake\u2019s storage, not another server');
      const { createServer } = await import('@datalake/server');
      const lake = await openLocalLake(
        location,
        {
          s3: s3SettingsFromEnvironment({ endpoint: options.s3Endpoint, region: options.s3Region }),
          fsync: options.fsync !== false,
          create: true,
        },
        { onNotice: (message) => printNotice(`notice: ${message}`) },
      );
      const anonymousRead = flags.anonymousRead
        ? {
            ...(flags.anonymousType ? { dataType: flags.anonymousType as never } : {}),
            ...(flags.anonymousPrefix ? { pathPrefix: flags.anonymousPrefix } : {}),
          }
        : false;
      let server: Awaited<ReturnType<typeof createServer>>;
      try {
        server = await createServer({
          lake,
          auth: { anonymousRead },
          maxBodyBytes: flags.maxBody,
          refreshIntervalMs: flags.refreshInterval,
          requestTimeoutMs: flags.requestTimeout,
          logger: flags.log,
        });
      } catch (error) {
        await lake.close();
        throw error;
      }
      const url = await server.listen({ port: flags.port, host: flags.host });
      printNotice(`serving ${describeLocation(location)} at ${url} (OpenAPI: ${url}/openapi.json)`);
      if ((await server.tokens.list()).length === 0 && !flags.anonymousRead)
        printNotice(
          `no tokens yet: create one with \`datalake --lake ${describeLocation(location)} token create --admin --name <name>\``,
        );
      let release = () => {};
      await new Promise<void>((resolve) => {
        release = ownSignals(() => {
          printNotice('stopping: finishing the requests in flight');
          resolve();
        });
      });
      try {
        await server.close();
        await lake.close();
      } finally {
        release();
      }
    });
}
