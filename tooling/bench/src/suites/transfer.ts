import { randomBytes } from 'node:crypto';
import { access, cp, readFile } from 'node:fs/promises';
import path from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { DiskBackend } from '@datalake/backend-disk';
import { S3Backend } from '@datalake/backend-s3';
import { DataLake } from '@datalake/core';
import { copyLake } from '@datalake/transfer';
import { timeChildren } from '../child-cpu.js';
import { repoRoot } from '../corpus.js';
import { spread, timeMs } from '../measure.js';
import { forEachBounded } from '../pool.js';
import { runProcess, tail } from '../processes.js';
import type { ResultRow, SuiteReport } from '../report.js';
import { createBucket, deleteBucket, deletePrefix, rawClient, s3TargetsFromEnv } from '../s3-client.js';
import type { Suite, SuiteContext } from '../suite.js';
import { latencyRatioAtMost, rateRatioAtLeast } from '../targets.js';

const CLI = path.join(repoRoot, 'apps', 'cli', 'dist', 'main.js');
const NOT_ARTIFACTS = ['LICENSES', 'SOURCES.md', 'manifest.tsv'];
const COPY_CONCURRENCY = 8;

/**
 * Issue 16: backup and restore of the corpus ×10 lake on disk through the built CLI, against
 * `tar -cf` of the lake's folder and against `datalake ingest` of the same files; copy of that lake
 * to each S3 server of the run against raw PutObject of the same bytes at the same concurrency.
 */
export const transferSuite: Suite = {
  name: 'transfer',
  title: 'transfer (issue 16): backup vs tar -cf, restore vs ingest, copy disk → S3 vs raw PutObject',
  async run(context) {
    if (!context.corpusDir) return skipped('no corpus (set DATALAKE_CORPUS)');
    if (!(await exists(CLI))) return skipped('the CLI is not built (apps/cli/dist/main.js)');
    const scale = context.quick ? 2 : 10;
    const repeats = context.quick ? 2 : 3;
    const dir = path.join(context.workRoot, 'transfer');
    const files = path.join(dir, 'files');
    context.log(`transfer: copying the corpus ×${scale}`);
    for (let copy = 0; copy < scale; copy++) {
      await cp(context.corpusDir, path.join(files, `copy${copy}`), {
        recursive: true,
        filter: (source) => !NOT_ARTIFACTS.includes(path.basename(source)),
      });
    }

    const ingestTimes: number[] = [];
    const restoreTimes: number[] = [];
    const backupTimes: number[] = [];
    const tarTimes: number[] = [];
    /** CPU time of each process (ms), beside its wall time: on a busy machine, wall time is mostly waiting. */
    const cpu = {
      ingest: [] as number[],
      backup: [] as number[],
      tar: [] as number[],
      restore: [] as number[],
    };
    const timed = async (kind: keyof typeof cpu, action: () => Promise<unknown>): Promise<number> => {
      const { wallMs, cpuMs } = await timeChildren(action);
      if (cpuMs !== undefined) cpu[kind].push(cpuMs);
      return wallMs;
    };
    let lake = '';
    let entries = 0;
    for (let run = 0; run < repeats; run++) {
      context.log(`transfer: run ${run + 1}/${repeats}`);
      lake = path.join(dir, `lake-${run}`);
      ingestTimes.push(
        await timed('ingest', () => cli(['--lake', lake, '--no-fsync', 'ingest', files, '--no-progress'])),
      );
      const archive = path.join(dir, `backup-${run}.tar`);
      backupTimes.push(
        await timed('backup', () =>
          cli(['--lake', lake, 'backup', 'create', '--out', archive, '--no-progress']),
        ),
      );
      tarTimes.push(
        await timed('tar', () =>
          runChecked('tar', ['-cf', path.join(dir, `plain-${run}.tar`), '-C', lake, '.']),
        ),
      );
      const target = path.join(dir, `restored-${run}`);
      restoreTimes.push(
        await timed('restore', () =>
          cli(['--no-fsync', 'backup', 'restore', archive, '--into', target, '--no-progress']),
        ),
      );
      const verify = await runProcess(process.execPath, [
        CLI,
        'backup',
        'verify',
        archive,
        '--against',
        target,
        '--json',
      ]);
      if (verify.code !== 0)
        throw new Error(`the restored lake differs from the backup: ${tail(verify.stdout)}`);
      entries = (JSON.parse(verify.stdout) as { entries: number }).entries;
    }
    const rows: ResultRow[] = [
      {
        operation: `backup create of the corpus ×${scale} lake (CLI process, wall)`,
        backend: 'disk',
        n: entries,
        result: { kind: 'latency', samples: backupTimes },
        baseline: {
          label: 'tar -cf of the lake folder',
          measurement: { kind: 'latency', samples: tarTimes },
        },
        target: latencyRatioAtMost(2),
      },
      {
        operation: 'backup restore into an empty lake, --no-fsync (CLI process, wall)',
        backend: 'disk',
        n: entries,
        result: { kind: 'latency', samples: restoreTimes },
        baseline: {
          label: 'ingest of the same files, --no-fsync',
          measurement: { kind: 'latency', samples: ingestTimes },
        },
        target: latencyRatioAtMost(1.5),
      },
    ];
    const notes = [`every restore was verified against its backup (${entries} entries each)`];
    if (cpu.backup.length > 0 && cpu.tar.length > 0)
      notes.push(
        `CPU time of the processes (median, user + system): backup ${cpuText(cpu.backup)} vs tar -cf ${cpuText(cpu.tar)}; restore ${cpuText(cpu.restore)} vs ingest ${cpuText(cpu.ingest)}`,
      );
    rows.push(...(await copyRows(context, lake, repeats, notes)));
    return { rows, notes };
  },
};

/** Copy of the disk lake to each S3 server against raw PutObject of its contents, both `COPY_CONCURRENCY` at once. */
async function copyRows(
  context: SuiteContext,
  lakeDir: string,
  repeats: number,
  notes: string[],
): Promise<ResultRow[]> {
  const servers = s3TargetsFromEnv();
  if (servers.length === 0) {
    notes.push('copy disk → S3: skipped, no S3 server');
    return [];
  }
  // Both lakes opened as `datalake copy` opens them: the source without its search index, the
  // target building its index on a second thread.
  const source = await DataLake.open(new DiskBackend({ root: lakeDir, fsync: false }), {
    onNotice: () => {},
    search: 'scan',
  });
  const rows: ResultRow[] = [];
  try {
    const entries = await source.list();
    const contents = await Promise.all(
      entries.map(async (entry) => readFile(path.join(lakeDir, ...entry.filePath.split('/')))),
    );
    for (const server of servers) {
      const client = rawClient(server);
      const bucket = server.bucket ?? `bench-transfer-${randomBytes(4).toString('hex')}`;
      if (!server.bucket) await createBucket(client, bucket);
      const copyRates: number[] = [];
      const rawRates: number[] = [];
      /** CPU time of this process per entry (ms): the S3 client's work per request is most of it. */
      const rawCpu: number[] = [];
      const copyCpu: number[] = [];
      const cpuPerEntry = async (samples: number[], action: () => Promise<unknown>) => {
        const before = process.cpuUsage();
        const ms = await timeMs(action);
        const used = process.cpuUsage(before);
        samples.push((used.user + used.system) / 1000 / entries.length);
        return ms;
      };
      try {
        for (let run = 0; run < repeats; run++) {
          context.log(`transfer: copy to ${server.name}, run ${run + 1}/${repeats}`);
          const rawPrefix = `raw-${run}-${randomBytes(3).toString('hex')}/`;
          const rawMs = await cpuPerEntry(rawCpu, () =>
            forEachBounded(entries.length, COPY_CONCURRENCY, (i) =>
              client.send(
                new PutObjectCommand({
                  Bucket: bucket,
                  Key: `${rawPrefix}${(entries[i] as { filePath: string }).filePath}`,
                  Body: contents[i],
                }),
              ),
            ),
          );
          rawRates.push((entries.length * 1000) / rawMs);
          await deletePrefix(client, bucket, rawPrefix);

          const prefix = `copy-${run}-${randomBytes(3).toString('hex')}`;
          const { endpoint, region, credentials } = server;
          const backend = await S3Backend.connect({ bucket, prefix, endpoint, region, credentials });
          const target = await DataLake.open(backend, { onNotice: () => {}, indexWorker: true });
          let failed = 0;
          const copyMs = await cpuPerEntry(copyCpu, async () => {
            failed = (await copyLake(source, target, { concurrency: COPY_CONCURRENCY })).failed.length;
          });
          await target.close();
          if (failed > 0) throw new Error(`${failed} entries failed to copy to ${server.name}`);
          copyRates.push((entries.length * 1000) / copyMs);
          await deletePrefix(client, bucket, `${prefix}/`);
        }
      } finally {
        if (!server.bucket) await deleteBucket(client, bucket).catch(() => {});
        client.destroy();
      }
      notes.push(
        `copy to ${server.name}: CPU time of the bench process per entry (median) ${spread(copyCpu).median.toFixed(1)} ms, raw PutObject ${spread(rawCpu).median.toFixed(1)} ms`,
      );
      rows.push({
        operation: `copy disk → S3 (${COPY_CONCURRENCY} at once), entries/s`,
        backend: `S3Backend (${server.name})`,
        n: entries.length,
        result: { kind: 'rate', samples: copyRates },
        baseline: {
          label: `raw PutObject (${server.name})`,
          measurement: { kind: 'rate', samples: rawRates },
        },
        target: rateRatioAtLeast(0.7),
      });
    }
  } finally {
    await source.close();
  }
  return rows;
}

function cpuText(samples: readonly number[]): string {
  return `${(spread(samples).median / 1000).toFixed(2)} s`;
}

async function cli(args: string[]): Promise<void> {
  await runChecked(process.execPath, [CLI, ...args]);
}

async function runChecked(command: string, args: string[]): Promise<void> {
  const result = await runProcess(command, args);
  if (result.code !== 0)
    throw new Error(
      `${path.basename(command)} ${args[0]} … exited ${result.code}: ${tail(result.stderr || result.stdout)}`,
    );
}

async function exists(file: string): Promise<boolean> {
  try {
    await access(file);
    return true;
  } catch {
    return false;
  }
}

function skipped(why: string): SuiteReport {
  return { rows: [], notes: [`skipped: ${why}`] };
}
