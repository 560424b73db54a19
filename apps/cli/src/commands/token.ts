import type { Command } from 'commander';
import { globalOptions, lakeLocation } from '../context.js';
import { ExitCode, UsageError } from '../errors.js';
import { createBackend, type LakeLocation, openRemoteLake, s3SettingsFromEnvironment } from '../lake-url.js';
import { collectStrings } from '../options.js';
import { formatTable, printJson, printLine, printNotice } from '../output.js';

interface Grant {
  actions: string[];
  dataType?: string;
  pathPrefix?: string;
}

interface TokenInfo {
  id: string;
  name: string;
  grants: Grant[];
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
}

/** What the token commands need, answered by the server (admin API) or by the lake's storage directly. */
interface TokenAdmin {
  create(input: {
    name: string;
    grants: Grant[];
    expiresAt: string | null;
  }): Promise<{ token: string; info: TokenInfo }>;
  list(): Promise<TokenInfo[]>;
  revoke(id: string): Promise<boolean>;
  close(): Promise<void>;
}

interface CreateFlags {
  name: string;
  admin?: boolean;
  grant?: string[];
  expires?: string;
}

export function registerToken(program: Command): void {
  const token = program
    .command('token')
    .description('create, list and revoke the access tokens of `datalake serve` (admin)')
    .addHelpText(
      'after',
      `
Against the lake's storage (a path, memory: or s3://) these work without a server: that is how the
first admin token is made. Against a server (--lake http://...) they use its API and need an admin
token in DATALAKE_TOKEN.

Examples:
  $ datalake --lake ./lake token create --admin --name ops
  $ datalake --lake ./lake token create --name etl --grant "read,write type=schema prefix=warehouse"
  $ DATALAKE_TOKEN=dlk_... datalake --lake http://lake:8080 token create --name reader --grant read --expires 30d
  $ datalake --lake ./lake token list
  $ datalake --lake ./lake token revoke 3f9a0c1d2b4e5f60`,
    );

  token
    .command('create')
    .description('create a token and print it (shown this once: the lake keeps only its hash)')
    .requiredOption('-n, --name <name>', 'what the token is for (shown by token list and the audit log)')
    .option('--admin', 'every action, token management and the audit log, on the whole lake')
    .option(
      '-g, --grant <grant>',
      'actions and optional scope, e.g. "read", "read,write type=schema", "read prefix=finance/2023" (repeatable)',
      collectStrings,
    )
    .option('--expires <when>', 'expiry: an ISO-8601 time or a duration such as 12h, 30d')
    .action(async (flags: CreateFlags, command: Command) => {
      const grants = [
        ...(flags.admin ? [{ actions: ['admin'] }] : []),
        ...(flags.grant ?? []).map(parseGrant),
      ];
      if (grants.length === 0) throw new UsageError('give --admin or at least one --grant');
      const expiresAt = flags.expires === undefined ? null : parseExpiry(flags.expires);
      await withTokenAdmin(command, async (admin, json) => {
        const created = await admin.create({ name: flags.name, grants, expiresAt });
        if (json) printJson(created);
        else {
          printLine(created.token);
          printNotice(
            `token ${created.info.id} ("${created.info.name}") created; this is the only time it is shown`,
          );
        }
      });
    });

  token
    .command('list')
    .description('list the tokens (never their secrets)')
    .action(async (_flags: unknown, command: Command) => {
      await withTokenAdmin(command, async (admin, json) => {
        const tokens = await admin.list();
        if (json) return printJson(tokens);
        if (tokens.length === 0) return printNotice('no tokens');
        for (const line of formatTable([
          ['ID', 'NAME', 'GRANTS', 'EXPIRES', 'LAST USED'],
          ...tokens.map((info) => [
            info.id,
            info.name,
            info.grants.map(describeGrant).join('; '),
            info.expiresAt ?? 'never',
            info.lastUsedAt ?? 'never',
          ]),
        ]))
          printLine(line);
      });
    });

  token
    .command('revoke')
    .description('revoke a token: every server refuses it within its refresh interval')
    .argument('<id>', 'the token id (the 16 hex digits after dlk_, as token list shows)')
    .action(async (id: string, _flags: unknown, command: Command) => {
      await withTokenAdmin(command, async (admin, json) => {
        const revoked = await admin.revoke(id.startsWith('dlk_') ? id.slice(4, 20) : id);
        if (json) printJson({ id, revoked });
        else if (revoked) printLine(`revoked ${id}`);
        else printNotice(`no token ${id}`);
        if (!revoked) process.exitCode = ExitCode.FAILURE;
      });
    });
}

async function withTokenAdmin(
  command: Command,
  work: (admin: TokenAdmin, json: boolean) => Promise<void>,
): Promise<void> {
  const options = globalOptions(command);
  const admin = await openTokenAdmin(lakeLocation(options), {
    s3: s3SettingsFromEnvironment({ endpoint: options.s3Endpoint, region: options.s3Region }),
    fsync: options.fsync !== false,
    create: true,
  });
  try {
    await work(admin, options.json ?? false);
  } finally {
    await admin.close();
  }
}

async function openTokenAdmin(
  location: LakeLocation,
  settings: Parameters<typeof createBackend>[1],
): Promise<TokenAdmin> {
  if (location.kind === 'remote') {
    const lake = await openRemoteLake(location.url);
    return {
      create: (input) => lake.createToken(input as never),
      list: () => lake.listTokens(),
      revoke: (id) => lake.revokeToken(id),
      close: () => lake.close(),
    };
  }
  const { AuditLog, TokenStore } = await import('@datalake/server');
  const backend = await createBackend(location, settings);
  const tokens = new TokenStore(backend);
  const audit = new AuditLog(backend, (error) =>
    printNotice(`warning: audit record not written: ${String(error)}`),
  );
  const record = (action: string, target: string) =>
    audit.record({ time: new Date().toISOString(), tokenId: null, action, target, outcome: 'ok', status: 0 });
  return {
    async create(input) {
      const created = await tokens.create({ ...input, createdBy: null });
      await record('token.create', created.info.id);
      return created;
    },
    list: () => tokens.list(),
    async revoke(id) {
      const revoked = await tokens.revoke(id);
      if (revoked) await record('token.revoke', id);
      return revoked;
    },
    async close() {
      await audit.flush();
      await backend.close?.();
    },
  };
}

/** `read,write type=schema prefix=finance`: actions, then optional key=value scope parts. */
export function parseGrant(spec: string): Grant {
  const [actions, ...parts] = spec.trim().split(/\s+/);
  if (!actions) throw new UsageError(`--grant "${spec}" names no action`);
  const grant: Grant = { actions: actions.split(',').filter(Boolean) };
  for (const part of parts) {
    const [key, value] = part.split('=', 2);
    if (!value) throw new UsageError(`--grant "${spec}": "${part}" is not key=value`);
    if (key === 'type') grant.dataType = value;
    else if (key === 'prefix') grant.pathPrefix = value;
    else throw new UsageError(`--grant "${spec}": unknown "${key}" (use type= and prefix=)`);
  }
  return grant;
}

function describeGrant(grant: Grant): string {
  const scope = [
    grant.dataType && `type=${grant.dataType}`,
    grant.pathPrefix && `prefix=${grant.pathPrefix}`,
  ].filter(Boolean);
  return [grant.actions.join(','), ...scope].join(' ');
}

/** An ISO-8601 time, or a duration from now: 90m, 12h, 30d. */
export function parseExpiry(value: string): string {
  const duration = /^(\d+)\s*(m|h|d)$/i.exec(value.trim());
  if (duration) {
    const unit = { m: 60_000, h: 3_600_000, d: 86_400_000 }[
      (duration[2] as string).toLowerCase() as 'm' | 'h' | 'd'
    ];
    return new Date(Date.now() + Number(duration[1]) * unit).toISOString();
  }
  const time = Date.parse(value);
  if (Number.isNaN(time))
    throw new UsageError(`--expires "${value}" is neither a time nor a duration such as 30d`);
  return new Date(time).toISOString();
}
