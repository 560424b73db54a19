import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DiskBackend } from '@datalake/backend-disk';
import { DataLake } from '@datalake/core';
import type { CopyReport, RestoreReport, VerifyReport } from '@datalake/transfer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliPath, runCli, runJson } from './support/cli.js';

let work: string;
let source: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'datalake-transfer-'));
  const files = join(work, 'files');
  await mkdir(join(files, 'db'), { recursive: true });
  await writeFile(join(files, 'db', 'orders.sql'), 'CREATE TABLE orders (id int);\n');
  await writeFile(join(files, 'macro.bas'), 'Sub Main()\nEnd Sub\n');
  await writeFile(join(files, 'readme.md'), '# readme\n');
  await writeFile(join(files, 'copy.md'), '# readme\n');
  source = join(work, 'source');
  const ingest = await runCli(['--lake', source, '--no-fsync', 'ingest', files, '--no-progress']);
  expect(ingest.code, ingest.stderr).toBe(0);
});

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('datalake backup', () => {
  it('creates, verifies and restores a backup; help for every subcommand', async () => {
    for (const command of [['backup', 'create'], ['backup', 'verify'], ['backup', 'restore'], ['copy']]) {
      const help = await runCli([...command, '--help']);
      expect(help.code).toBe(0);
      expect(help.stdout).toContain('Examples:');
      expect(help.stdout).toContain('--json');
    }
    const file = join(work, 'lake.tar.gz');
    const created = await runJson<{ entries: number; contents: number }>([
      '--lake',
      source,
      'backup',
      'create',
      '--out',
      file,
      '--no-progress',
    ]);
    expect(created).toMatchObject({ entries: 4, contents: 3 });
    expect((await readdir(work)).filter((name) => name.includes('partial'))).toEqual([]);
    expect((await readFile(file)).subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));

    const verified = await runJson<VerifyReport>(['backup', 'verify', file, '--against', source]);
    expect(verified.against?.matches).toBe(true);

    const target = join(work, 'restored');
    const dry = await runJson<RestoreReport>(['backup', 'restore', file, '--into', target, '--dry-run']);
    expect(dry.created).toHaveLength(4);
    expect(await readdir(work)).not.toContain('restored');

    const restored = await runJson<RestoreReport>([
      'backup',
      'restore',
      file,
      '--into',
      target,
      '--no-progress',
    ]);
    expect(restored.created).toHaveLength(4);
    const again = await runCli(['backup', 'verify', file, '--against', target]);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('the lake holds exactly the backup');

    // A lake that differs: exit 1, and what differs.
    const rm = await runCli(['--lake', target, 'rm', '--path', 'macro/macro.bas']);
    expect(rm.code, rm.stderr).toBe(0);
    const differs = await runCli(['backup', 'verify', file, '--against', target, '--json']);
    expect(differs.code).toBe(1);
    expect((JSON.parse(differs.stdout) as VerifyReport).against?.missing).toEqual(['macro/macro.bas']);
  });

  it('writes to standard output and verifies from standard input', async () => {
    const out = await runCli(['--lake', source, 'backup', 'create', '--out', '-']);
    expect(out.code, out.stderr).toBe(0);
    expect(out.stdoutBytes.subarray(257, 262).toString()).toBe('ustar');
    const verified = await runCli(['backup', 'verify', '-', '--json'], { input: out.stdoutBytes });
    expect(verified.code, verified.stderr).toBe(0);
    expect((JSON.parse(verified.stdout) as VerifyReport).entries).toBe(4);
  });

  it('refuses a hostile archive with exit 5 and a typed error, restoring nothing', async () => {
    const good = await runCli(['--lake', source, 'backup', 'create', '--out', '-']);
    const bytes = Buffer.from(good.stdoutBytes);
    // Rename the first content member to an absolute path, fixing the header checksum as tar would.
    const second = 512 + Math.ceil(readSize(bytes, 0) / 512) * 512;
    bytes.fill(0, second, second + 100);
    bytes.write('/etc/passwd', second);
    writeHeaderChecksum(bytes, second);
    const file = join(work, 'hostile.tar');
    await writeFile(file, bytes);
    const target = join(work, 'hostile-target');
    const result = await runCli(['backup', 'restore', file, '--into', target, '--json']);
    expect(result.code).toBe(5);
    const error = JSON.parse(result.stderr.trim().split('\n').at(-1) as string);
    expect(error.error).toMatchObject({ code: 'CORRUPT', details: { problem: 'unsafe-path' } });
    const listed = await runJson<unknown[]>(['--lake', target, 'ls']);
    expect(listed).toEqual([]);
  });

  it('a restore killed halfway completes when run again, with no entry half there', async () => {
    const files = join(work, 'many');
    await mkdir(files, { recursive: true });
    for (let i = 0; i < 300; i++)
      await writeFile(join(files, `f${i}.md`), `# file ${i}\n${'x'.repeat(i * 10)}\n`);
    const many = join(work, 'many-lake');
    expect((await runCli(['--lake', many, '--no-fsync', 'ingest', files, '--no-progress'])).code).toBe(0);
    const file = join(work, 'many.tar');
    expect((await runCli(['--lake', many, 'backup', 'create', '--out', file])).code).toBe(0);

    const target = join(work, 'many-target');
    const child = spawn(
      process.execPath,
      [cliPath, 'backup', 'restore', file, '--into', target, '--no-progress'],
      {
        stdio: 'ignore',
      },
    );
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      child.on('exit', (_code, signal) => resolve(signal)),
    );
    for (let seen = 0; seen < 20 && child.exitCode === null; ) {
      await new Promise((resolve) => setTimeout(resolve, 5));
      seen = (await readdir(join(target, '.metadata')).catch(() => [])).length;
    }
    child.kill('SIGKILL');
    await exited;

    const lake = await DataLake.open(new DiskBackend({ root: target, fsync: false }), { onNotice: () => {} });
    for (const entry of await lake.list()) {
      const bytes = await lake.readBytes(entry.id);
      expect(createHash('sha256').update(bytes).digest('hex')).toBe(entry.sha256);
    }
    await lake.close();

    const resumed = await runJson<RestoreReport>([
      'backup',
      'restore',
      file,
      '--into',
      target,
      '--no-progress',
    ]);
    expect(resumed.failed).toEqual([]);
    expect(resumed.created.length + resumed.unchanged).toBe(300);
    expect(resumed.unchanged).toBeGreaterThan(0); // the first run was stopped after some entries
    expect(resumed.created.length).toBeGreaterThan(0); // and before the last
    const verified = await runJson<VerifyReport>(['backup', 'verify', file, '--against', target]);
    expect(verified.against?.matches).toBe(true);
  });
});

describe('datalake copy', () => {
  it('copies, verifies, and copies nothing the second time', async () => {
    const target = join(work, 'copy-target');
    const first = await runJson<CopyReport>([
      '--lake',
      source,
      'copy',
      '--to',
      target,
      '--verify',
      '--no-progress',
    ]);
    expect(first).toMatchObject({ created: 4, verified: 4, failed: [] });
    const second = await runJson<CopyReport>(['copy', '--from', source, '--to', target]);
    expect(second).toMatchObject({ created: 0, updated: 0, unchanged: 4 });
    const json = await runCli(['copy', '--from', source, '--to', 'memory:', '--json']);
    const progress = json.stderr
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(progress.at(-1)).toMatchObject({ progress: { phase: 'copy', done: 4, total: 4 } });
    expect((await runCli(['copy', '--from', source, '--to', target, '--concurrency', '0'])).code).toBe(2);
  });
});

function readSize(tarBytes: Buffer, offset: number): number {
  return Number.parseInt(
    tarBytes
      .subarray(offset + 124, offset + 136)
      .toString()
      .replace(/\0.*$/s, '')
      .trim(),
    8,
  );
}

function writeHeaderChecksum(tarBytes: Buffer, offset: number): void {
  tarBytes.fill(0x20, offset + 148, offset + 156);
  let sum = 0;
  for (let i = offset; i < offset + 512; i++) sum += tarBytes[i] as number;
  tarBytes.write(`${sum.toString(8).padStart(6, '0')}\0 `, offset + 148);
}
