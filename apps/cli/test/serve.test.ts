import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliPath, runCli, runJson } from './support/cli.js';

let folder: string;
let lake: string;
let adminToken: string;
let server: ChildProcess;
let url: string;

beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'datalake-cli-serve-'));
  lake = join(folder, 'lake');
  // The bootstrap: the first admin token is written into the lake itself, with no server running.
  const created = await runCli(['--lake', lake, 'token', 'create', '--admin', '--name', 'ops']);
  expect(created.code, created.stderr).toBe(0);
  adminToken = created.stdout.trim();
  expect(adminToken).toMatch(/^dlk_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/);
  expect(created.stderr).toContain('only time it is shown');

  server = spawn(process.execPath, [cliPath, '--lake', lake, '--no-fsync', 'serve', '--port', '0'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, DATALAKE_URL: undefined },
  });
  const lines = createInterface({ input: server.stderr as NodeJS.ReadableStream });
  for await (const line of lines) {
    const match = /at (http:\/\/\S+) /.exec(line);
    if (match) {
      url = match[1] as string;
      break;
    }
  }
});

afterAll(async () => {
  if (server && server.exitCode === null) {
    server.kill('SIGTERM');
    await once(server, 'exit');
  }
  await rm(folder, { recursive: true, force: true });
});

const remote = (token = adminToken) => ({ env: { DATALAKE_TOKEN: token } });

describe('datalake serve', () => {
  it('serves the lake to the other commands through --lake http://...', async () => {
    const file = join(folder, 'orders.sql');
    await writeFile(file, 'CREATE TABLE orders (id INT);\n');
    const stored = await runJson<{ id: string; filePath: string }>(
      ['--lake', url, 'store', file, '--subpath', 'shop'],
      remote(),
    );
    expect(stored.filePath).toBe('schema/shop/orders.sql');
    const found = await runJson<{ hits: Array<{ entry: { id: string } }> }>(
      ['--lake', url, 'search', 'create table', '--type', 'schema'],
      remote(),
    );
    expect(found.hits.map((hit) => hit.entry.id)).toEqual([stored.id]);
    const got = await runCli(['--lake', url, 'get', '--path', 'schema/shop/orders.sql'], remote());
    expect(got.stdout).toBe('CREATE TABLE orders (id INT);\n');
    expect((await runJson<{ totalEntries: number }>(['--lake', url, 'stats'], remote())).totalEntries).toBe(
      1,
    );

    await writeFile(join(folder, 'README.md'), '# notes\n');
    const ingested = await runJson<{ stored: number }>(
      ['--lake', url, 'ingest', folder, '--no-progress', '--exclude', 'lake'],
      remote(),
    );
    expect(ingested.stored).toBe(2);
  });

  it('manages tokens over the API, and refuses a bad token with exit code 1', async () => {
    const created = await runJson<{ token: string; info: { id: string } }>(
      [
        '--lake',
        url,
        'token',
        'create',
        '--name',
        'reader',
        '--grant',
        'read type=schema',
        '--expires',
        '30d',
      ],
      remote(),
    );
    const listed = await runJson<Array<{ id: string; grants: unknown }>>(
      ['--lake', url, 'token', 'list'],
      remote(),
    );
    expect(listed.find((info) => info.id === created.info.id)?.grants).toEqual([
      { actions: ['read'], dataType: 'schema' },
    ]);
    const asReader = await runJson<Array<{ dataType: string }>>(['--lake', url, 'ls'], remote(created.token));
    expect(asReader.length).toBeGreaterThan(0);
    expect(asReader.every((entry) => entry.dataType === 'schema')).toBe(true);
    const refused = await runCli(['--lake', url, 'store', '-', '--name', 'x.md', '--type', 'documentation'], {
      ...remote(created.token),
      input: 'x',
    });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^error: .*may not store/m);

    expect((await runCli(['--lake', url, 'token', 'revoke', created.info.id], remote())).code).toBe(0);
    const revoked = await runCli(['--lake', url, 'stats'], remote(created.token));
    expect(revoked.code).toBe(1);
    expect(revoked.stderr).toMatch(/^error: .*invalid, expired or revoked/m);
    expect(revoked.stderr).not.toContain(created.token);
    expect((await runCli(['--lake', url, 'stats'], { env: { DATALAKE_TOKEN: undefined } })).stderr).toContain(
      'DATALAKE_TOKEN',
    );
  });

  it('lists tokens offline too, and stops gracefully on SIGTERM', async () => {
    const listed = await runJson<Array<{ name: string; lastUsedAt: string | null }>>([
      '--lake',
      lake,
      'token',
      'list',
    ]);
    expect(listed.map((info) => info.name)).toContain('ops');
    const help = await runCli(['serve', '--help']);
    expect(help.stdout).toContain('Examples:');
    server.kill('SIGTERM');
    const [code] = await once(server, 'exit');
    expect(code).toBe(0);
  });
});
