import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { minioCacheFolder } from '../src/paths.js';
import type { S3ServerRecord } from '../src/servers.js';
import { describeEachS3Server } from '../src/vitest.js';

const packageRoot = fileURLToPath(new URL('..', import.meta.url));

/** The environment of the test process without any S3 setting. */
function withoutS3(): Record<string, string> {
  return Object.fromEntries(
    Object.entries(process.env).filter(
      (entry): entry is [string, string] =>
        entry[1] !== undefined && !/^(S3_ENDPOINT|AWS_|DATALAKE_S3_|DATALAKE_MINIO_DIR|CI$)/.test(entry[0]),
    ),
  );
}

interface Run {
  child: ChildProcess;
  stdout: string;
  stderr: string;
  exited: Promise<number>;
}

/** Starts the runner as `pnpm test` does, in a process group of its own (like a terminal job). */
function startRunner(command: string[], env: Record<string, string>): Run {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/run.ts', '--', ...command], {
    cwd: packageRoot,
    env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const run: Run = {
    child,
    stdout: '',
    stderr: '',
    exited: new Promise((resolve) =>
      child.on('close', (code, signal) => resolve(code ?? (signal ? 128 : 1))),
    ),
  };
  child.stdout?.on('data', (chunk: Buffer) => (run.stdout += chunk));
  child.stderr?.on('data', (chunk: Buffer) => (run.stderr += chunk));
  return run;
}

/** A node one-liner the runner runs as "the test command". */
const nodeCommand = (script: string) => [process.execPath, '-e', script];
const PRINT_SERVERS = `console.log('SERVERS=' + (process.env.DATALAKE_S3_SERVERS ?? 'none'))`;

describe('the test-command runner, where no S3 server can run', () => {
  let scratch: string;
  let env: Record<string, string>;
  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'datalake-runner-test-'));
    // PATH holds node and nothing else: no Ceph, and no MinIO build in an empty cache folder.
    const bin = join(scratch, 'bin');
    await mkdir(bin);
    await symlink(process.execPath, join(bin, 'node'));
    env = { ...withoutS3(), PATH: bin, DATALAKE_MINIO_CACHE: join(scratch, 'empty-cache') };
  });
  afterAll(() => rm(scratch, { recursive: true, force: true }));

  it('runs the command without servers, says why S3 tests are skipped and how to get them', async () => {
    const run = startRunner(nodeCommand(PRINT_SERVERS), env);
    expect(await run.exited).toBe(0);
    expect(run.stdout).toContain('SERVERS=none');
    expect(run.stderr).toMatch(/Ceph RGW not installed \(no ceph-mon.* on PATH\)/);
    expect(run.stderr).toMatch(/MinIO not built/);
    expect(run.stderr).toMatch(/none can be started here: the S3 tests are skipped/);
    expect(run.stderr).toMatch(/tooling\/s3-server\/install\.sh.*tooling\/minio\/install\.sh/);
  });

  it("passes the command's exit code on, and says S3 tests fail under CI=true", async () => {
    const run = startRunner(nodeCommand('process.exit(3)'), { ...env, CI: 'true' });
    expect(await run.exited).toBe(3);
    expect(run.stderr).toMatch(/the S3 tests are FAILURES under CI=true/);
  });

  it('uses a server of the user’s own as it is', async () => {
    const run = startRunner(nodeCommand(PRINT_SERVERS), { ...env, S3_ENDPOINT: 'http://127.0.0.1:1' });
    expect(await run.exited).toBe(0);
    expect(run.stdout).toContain('SERVERS=none');
    expect(run.stderr).toMatch(/using the configured S3 server \(S3_ENDPOINT=http:\/\/127\.0\.0\.1:1\)/);
  });

  it('fails, running nothing, when a server it is asked for cannot run here', async () => {
    const run = startRunner(nodeCommand(PRINT_SERVERS), { ...env, DATALAKE_S3_TEST_SERVERS: 'rgw,minio' });
    expect(await run.exited).toBe(1);
    expect(run.stderr).toMatch(/DATALAKE_S3_TEST_SERVERS=rgw,minio asks for rgw and minio/);
    expect(run.stdout).toBe('');
  });

  it('refuses an unknown server name', async () => {
    const run = startRunner(nodeCommand(PRINT_SERVERS), { ...env, DATALAKE_S3_TEST_SERVERS: 'ceph' });
    expect(await run.exited).toBe(1);
    expect(run.stderr).toMatch(/unknown server "ceph"/);
    expect(run.stdout).toBe('');
  });
});

// Starts real MinIO servers, so it needs the MinIO build; `pnpm test` has started one when it is there.
describeEachS3Server(
  'the test-command runner with MinIO built',
  () => {
    const env = () => ({
      ...withoutS3(),
      DATALAKE_S3_TEST_SERVERS: 'minio',
      DATALAKE_MINIO_CACHE: minioCacheFolder(),
    });
    const listed = (run: Run): S3ServerRecord[] => {
      const line = run.stdout.split('\n').find((text) => text.startsWith('SERVERS='));
      return JSON.parse(line?.slice('SERVERS='.length) ?? '[]') as S3ServerRecord[];
    };
    const answers = (endpoint: string) =>
      fetch(`${endpoint}/minio/health/live`).then(
        (response) => response.ok,
        () => false,
      );

    it('starts MinIO for the command, lists it, and stops it and removes its state afterwards', async () => {
      const script = `${PRINT_SERVERS}
        const [server] = JSON.parse(process.env.DATALAKE_S3_SERVERS);
        fetch(server.endpoint + '/minio/health/live').then((r) => console.log('LIVE=' + r.status));`;
      const run = startRunner(nodeCommand(script), env());
      expect(await run.exited).toBe(0);
      const [server] = listed(run);
      expect(server).toMatchObject({ name: 'minio', kind: 'minio' });
      expect(run.stdout).toContain('LIVE=200');
      expect(await answers(server?.endpoint ?? '')).toBe(false);
      expect(existsSync(server?.stateDir ?? '/')).toBe(false);
    });

    it('stops MinIO when the run is interrupted with Ctrl-C', async () => {
      const script = `${PRINT_SERVERS}; setInterval(() => {}, 1000)`;
      const run = startRunner(nodeCommand(script), env());
      while (!run.stdout.includes('SERVERS=')) {
        if (run.child.exitCode !== null) throw new Error(`the runner ended early: ${run.stderr}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const [server] = listed(run);
      expect(await answers(server?.endpoint ?? '')).toBe(true);
      // Ctrl-C in a terminal signals the whole foreground process group.
      process.kill(-(run.child.pid as number), 'SIGINT');
      expect(await run.exited).toBe(130);
      expect(run.stderr).toContain('stopped the test servers');
      expect(await answers(server?.endpoint ?? '')).toBe(false);
      expect(existsSync(server?.stateDir ?? '/')).toBe(false);
    });
  },
  { kind: 'minio' },
);
