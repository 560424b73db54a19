import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const packageRoot = fileURLToPath(new URL('..', import.meta.url));
const vitest = join(packageRoot, 'node_modules', '.bin', 'vitest');

/** Runs the fixture suite in a fresh vitest process with exactly the S3 settings given. */
function runFixture(scratch: string, env: Record<string, string>): Promise<{ code: number; output: string }> {
  const clean = Object.fromEntries(
    Object.entries(process.env).filter(
      ([name]) => !/^(S3_ENDPOINT|AWS_|DATALAKE_S3_|DATALAKE_MINIO_|CI$)/.test(name),
    ),
  );
  const options = {
    cwd: packageRoot,
    env: {
      ...clean,
      NO_COLOR: '1',
      // No start script's default state dir may name a server either.
      DATALAKE_MINIO_DIR: join(scratch, 'no-minio'),
      DATALAKE_S3_DIR: join(scratch, 'no-rgw'),
      ...env,
    },
  };
  return new Promise((resolve) => {
    execFile(
      vitest,
      ['run', '--config', 'test/fixtures/vitest.config.ts'],
      options,
      (error, stdout, stderr) => {
        resolve({ code: error ? Number(error.code ?? 1) : 0, output: `${stdout}${stderr}` });
      },
    );
  });
}

describe('describeEachS3Server at collection', () => {
  let scratch: string;
  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'datalake-s3-collection-'));
  });
  afterAll(() => rm(scratch, { recursive: true, force: true }));

  it('skips with a notice, without running the body, when no server is configured', async () => {
    const { code, output } = await runFixture(scratch, {});
    expect(output).not.toMatch(/BODY RAN|TypeError/);
    expect(output).toMatch(/SKIPPING S3 tests: fixture suite needs an S3 server \(none is configured\)/);
    expect(output).toMatch(/1 skipped/);
    expect(code).toBe(0);
  });

  it('fails instead under CI=true', async () => {
    const { code, output } = await runFixture(scratch, { CI: 'true' });
    expect(output).not.toMatch(/BODY RAN/);
    expect(output).toMatch(/has the S3 server it needs/);
    expect(output).toMatch(/CI=true, so this is a failure/);
    expect(code).toBe(1);
  });

  it('runs the body once per server, titled by the server', async () => {
    const server = (name: string, port: number) => ({
      name,
      kind: name,
      endpoint: `http://127.0.0.1:${port}`,
      region: 'us-east-1',
      accessKeyId: 'k',
      secretAccessKey: 's',
      stateDir: join(scratch, name),
      minioCache: join(scratch, 'no-build'),
    });
    const { code, output } = await runFixture(scratch, {
      DATALAKE_S3_SERVERS: JSON.stringify([server('minio', 1), server('rgw', 2)]),
    });
    expect(output.match(/BODY RAN/g)).toHaveLength(2);
    expect(output).toMatch(/2 passed/);
    expect(code).toBe(0);
  });
});
