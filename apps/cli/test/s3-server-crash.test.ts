import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Entry, LakeStats } from '@datalake/core';
import type { IngestSummary } from '@datalake/ingest';
import type { CrashableServer } from '@datalake/s3-test-servers';
import { describeEachS3Server } from '@datalake/s3-test-servers/vitest';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { cliPath, runCli, runJson } from './support/cli.js';
import { s3Target } from './support/s3.js';

// Bounds only a hang: these tests wait on server restarts and retries, slow on a busy machine.
const FAULT_TEST_TIMEOUT_MS = 600_000;

const FILES = 900;
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** A source tree of many small artifacts of several types, so an ingest takes a while. */
async function writeTree(root: string): Promise<void> {
  const kinds = [
    (i: number) => [
      `db/schema_${i}.sql`,
      `CREATE TABLE t${i} (id INT PRIMARY KEY, name VARCHAR(${i + 1}));\n`,
    ],
    (i: number) => [`vba/Module${i}.bas`, `Attribute VB_Name = "Module${i}"\nSub Run${i}()\nEnd Sub\n`],
    (i: number) => [`conf/app-${i}.json`, `${JSON.stringify({ id: i, name: `app ${i}`, ok: true })}\n`],
    (i: number) => [`docs/note-${i}.md`, `# Note ${i}\n\n${'Some text about the system. '.repeat(i % 40)}\n`],
    (i: number) => [
      `logs/run-${i}.log`,
      `2024-01-0${(i % 9) + 1}T10:00:00Z ERROR job ${i} failed\n`.repeat(3),
    ],
  ];
  for (let i = 0; i < FILES; i++) {
    const [path, content] = (kinds[i % kinds.length] as (i: number) => string[])(i) as [string, string];
    await mkdir(join(root, path, '..'), { recursive: true });
    await writeFile(join(root, path), content);
  }
}

/**
 * Starts an ingest and resolves once it has reported progress, with the process stopped (SIGSTOP):
 * the crash then lands mid-run however fast the machine is. `resume()` lets it go on (SIGCONT).
 */
/** Ingests still running when a test fails: stopped ones would otherwise outlive the run. */
const ingests = new Set<ChildProcess>();

function startIngest(lakeUrl: string, tree: string, env: Record<string, string>) {
  const child: ChildProcess = spawn(
    process.execPath,
    [cliPath, '--lake', lakeUrl, 'ingest', tree, '--json', '--concurrency', '4'],
    { env: { ...process.env, ...env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  ingests.add(child);
  child.on('close', () => ingests.delete(child));
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk));
  const exited = new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr })),
  );
  let paused = false;
  const progressed = new Promise<void>((resolve, reject) => {
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk;
      // Once only: lines still in the pipe arrive after SIGCONT and must not stop it again.
      if (!paused && /"progress":\{"done":[1-9]/.test(stderr) && child.kill('SIGSTOP')) {
        paused = true;
        resolve();
      }
    });
    void exited.then(() => reject(new Error(`the ingest ended before the crash: ${stderr}`)));
  });
  return { progressed, exited, resume: () => child.kill('SIGCONT') };
}

describeEachS3Server(
  'the CLI when its S3 server is killed mid-ingest',
  (server) => {
    let crashable: CrashableServer;
    let work: string;
    let tree: string;
    let env: Record<string, string>;
    let lakeUrl: string;

    beforeAll(async () => {
      work = await mkdtemp(join(tmpdir(), 'datalake-cli-crash-'));
      tree = join(work, 'tree');
      await writeTree(tree);
      crashable = await (server.faults as NonNullable<typeof server.faults>).crashableServer();
      const target = await s3Target(crashable);
      env = target.env;
      lakeUrl = `s3://${target.bucket}/crash`;
    });
    afterAll(async () => {
      for (const child of ingests) child.kill('SIGKILL');
      await crashable?.stop();
      await rm(work, { recursive: true, force: true });
    });

    it(
      'fails with a clear error instead of hanging, then the same ingest completes after a restart',
      async () => {
        const ingest = startIngest(lakeUrl, tree, env);
        await ingest.progressed;
        await crashable.kill();
        ingest.resume();
        // No timing assertion: a hang would show as the test's own timeout.
        const crashed = await ingest.exited;
        const said = `${crashed.stdout}\n${crashed.stderr}`;
        expect(said).not.toMatch(/\n\s+at .+:\d+:\d+/); // no stack trace
        // Every line on stderr is JSON (--json): the files it could not store, or the error it stopped on.
        const lines = crashed.stderr.split('\n').filter(Boolean);
        for (const line of lines) expect(() => JSON.parse(line), line).not.toThrow();
        const unreachable = /the endpoint could not be reached/;
        if (crashed.code === 6) {
          const error = JSON.parse(lines.at(-1) as string).error;
          expect(error.code).toBe('BACKEND');
          expect(error.message).toMatch(unreachable);
        } else {
          // The run went on: each file it could not store is a failure with the reason.
          expect(crashed.code).toBe(1);
          const summary = JSON.parse(crashed.stdout) as IngestSummary;
          expect(summary.failed).toBeGreaterThan(0);
          for (const failure of summary.failures) expect(failure.error).toMatch(unreachable);
        }

        await crashable.restart();
        // Nothing half-stored is visible: every entry listed now is whole and exact.
        const survivors = await runJson<Entry[]>(['--lake', lakeUrl, 'ls'], { env });
        expect(survivors.length).toBeLessThan(FILES);
        const out = join(work, 'survivors');
        if (survivors.length > 0)
          await runJson(
            ['--lake', lakeUrl, 'get', '--output-dir', out, ...survivors.map((entry) => entry.id)],
            {
              env,
            },
          );
        for (const entry of survivors) {
          const source = await readFile(join(tree, entry.metadata.sourcePath as string));
          expect(sha256(await readFile(join(out, ...entry.filePath.split('/')))), entry.filePath).toBe(
            sha256(source),
          );
          expect(entry.sha256).toBe(sha256(source));
        }

        const completed = await runCli(['--lake', lakeUrl, 'ingest', tree, '--json', '--no-progress'], {
          env,
        });
        // Stores cut short by the crash left path claims; the ingest takes them over (with a notice).
        expect(completed.stderr).not.toMatch(/error/i);
        expect(completed.code).toBe(0);
        const summary = JSON.parse(completed.stdout) as IngestSummary;
        expect(summary.failures).toEqual([]);
        expect(summary).toMatchObject({
          failed: 0,
          stored: FILES - survivors.length,
          skipped: survivors.length,
        });

        // The same tree ingested into a disk lake that never failed is the reference.
        const reference = join(work, 'reference-lake');
        const clean = await runCli(['--lake', reference, 'ingest', tree, '--json', '--no-progress']);
        expect(clean.code).toBe(0);
        const expectedStats = await runJson<LakeStats>(['--lake', reference, 'stats']);
        expect(expectedStats.totalEntries).toBe(FILES);
        const stats = await runJson<LakeStats>(['--lake', lakeUrl, 'stats'], { env });
        expect(stats).toEqual(expectedStats);
        const listed = (lake: string, options = {}) =>
          runJson<Entry[]>(['--lake', lake, 'ls'], options).then((entries) =>
            entries.map((entry) => `${entry.filePath} ${entry.sha256}`).sort(),
          );
        expect(await listed(lakeUrl, { env })).toEqual(await listed(reference));
        const check = await runCli(['--lake', lakeUrl, 'check-index', '--json'], { env });
        expect(check.code).toBe(0);
        expect(JSON.parse(check.stdout)).toMatchObject({ ok: true, covered: FILES, uncovered: [] });
      },
      FAULT_TEST_TIMEOUT_MS,
    );
  },
  { kind: 'minio', faults: true },
);
