import { randomBytes } from 'node:crypto';
import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { S3Backend } from '@datalake/backend-s3';
import { DataLake, type DataLakeOptions } from '@datalake/core';
import { type Artifact, loadArtifacts, syntheticArtifacts } from '../corpus.js';
import { collectGarbage, latency, type Measurement, now, rate, timeMs } from '../measure.js';
import { forEachBounded } from '../pool.js';
import type { ResultRow, SuiteReport } from '../report.js';
import {
  createBucket,
  deleteBucket,
  deletePrefix,
  listAllKeys,
  rawClient,
  type S3Target,
  s3TargetsFromEnv,
} from '../s3-client.js';
import type { Suite, SuiteContext } from '../suite.js';
import { latencyAtMost, latencyRatioAtMost, rateRatioAtLeast } from '../targets.js';
import { sampleIndexes, workItem } from '../workload.js';

const MAX_ARTIFACT_BYTES = 16 * 1024;

interface Plan {
  /** Sequential operations per measured phase. */
  operations: number;
  batches: number;
  listRepeats: number;
  /** Entries in the lake whose `DataLake.open` is timed. */
  openLakeSize: number;
  opens: number;
  setupConcurrency: number;
}

const FULL: Plan = {
  operations: 300,
  batches: 5,
  listRepeats: 5,
  openLakeSize: 10_000,
  opens: 3,
  setupConcurrency: 32,
};
const QUICK: Plan = {
  operations: 100,
  batches: 3,
  listRepeats: 3,
  openLakeSize: 1_000,
  opens: 2,
  setupConcurrency: 32,
};

/**
 * Issue 3: the S3 backend against raw SDK calls on the same server, in the same run; once per
 * server of the run (MinIO and Ceph RGW when the root `pnpm bench` started them), one after the other.
 */
export const s3Suite: Suite = {
  name: 's3',
  title: 's3 (issue 3): DataLake on S3Backend vs raw SDK calls, per S3 server',
  async run(context) {
    const targets = s3TargetsFromEnv();
    if (targets.length === 0) {
      return {
        rows: [],
        notes: [
          'skipped: no S3 server (set S3_ENDPOINT and the AWS_* variables, or install a test server: the root `pnpm bench` starts it)',
        ],
      };
    }
    const plan = context.quick ? QUICK : FULL;
    const artifacts = context.corpusDir
      ? await loadArtifacts(context.corpusDir, MAX_ARTIFACT_BYTES)
      : syntheticArtifacts();
    const report: SuiteReport = { rows: [], notes: [] };
    for (const target of targets) {
      const measured = await runOn(context, plan, artifacts, target);
      report.rows.push(...measured.rows);
      report.notes.push(...measured.notes.map((note) => `[${target.name}] ${note}`));
    }
    report.notes.push(
      `sequential phases of ${plan.operations} operations on corpus files of ≤ ${MAX_ARTIFACT_BYTES / 1024} KiB; rates per consecutive batch, latencies per call`,
      'a lake store writes a path claim, the content and the metadata object (3 PUTs); retrieve reads the content (1 GET) and checks its hash',
      `DataLake.open: a ${plan.openLakeSize.toLocaleString('en-US')}-entry lake stored with ${plan.setupConcurrency} stores in flight, closed, then reopened on a new S3Backend`,
    );
    return report;
  },
};

async function runOn(
  context: SuiteContext,
  plan: Plan,
  artifacts: Artifact[],
  target: S3Target,
): Promise<SuiteReport> {
  context.log(`s3: on ${target.name} (${target.endpoint})`);
  const client = rawClient(target);
  const runId = randomBytes(4).toString('hex');
  const bucket = target.bucket ?? `datalake-bench-${runId}`;
  const root = `bench-${runId}/`;
  if (!target.bucket) await createBucket(client, bucket);
  const lakeOptions: DataLakeOptions = { ...context.lakeOptions, onNotice: () => undefined };
  try {
    const atomic = await probeConditionalWrites(target, bucket, `${root}probe/`);
    const rows = await measure(context, plan, {
      client,
      target,
      bucket,
      root,
      artifacts,
      lakeOptions,
      atomic,
    });
    return {
      rows,
      notes: [
        `endpoint ${target.endpoint}, bucket ${bucket}${target.bucket ? '' : ' (created for this run)'}; S3Backend.connect() found conditional writes ${atomic ? 'atomic' : 'NOT atomic (the backend checks conditions itself)'}`,
      ],
    };
  } finally {
    context.log(`s3: removing the objects written on ${target.name}`);
    // Best effort: a cleanup failure must not hide the error that ended the measurements.
    await deletePrefix(client, bucket, root).catch((error: unknown) =>
      context.log(`s3: could not remove ${bucket}/${root}: ${(error as Error).message}`),
    );
    if (!target.bucket) await deleteBucket(client, bucket).catch(() => undefined);
    client.destroy();
  }
}

interface S3Run {
  client: S3Client;
  target: S3Target;
  bucket: string;
  root: string;
  artifacts: Artifact[];
  lakeOptions: DataLakeOptions;
  /** What `S3Backend.connect()` measured once; passed to every backend so no timing includes the probe. */
  atomic: boolean;
}

async function measure(context: SuiteContext, plan: Plan, run: S3Run): Promise<ResultRow[]> {
  const { client, bucket, root, artifacts } = run;
  const k = plan.operations;
  const lakeLabel = `S3Backend (${run.target.name})`;
  const rawLabel = `raw SDK (${run.target.name})`;
  const row = (
    operation: string,
    backend: string,
    n: number,
    result: Measurement,
    extra: Partial<ResultRow> = {},
  ) => ({ operation, backend, n, result, ...extra }) satisfies ResultRow;

  context.log(`s3: ${run.target.name}: raw SDK, ${k} PutObject / GetObject`);
  const rawKey = (i: number) => `${root}raw/${workItem(artifacts, i).filePath}`;
  const rawPut = await rate(k, plan.batches, (i) =>
    client.send(new PutObjectCommand({ Bucket: bucket, Key: rawKey(i), Body: workItem(artifacts, i).bytes })),
  );
  const picks = sampleIndexes(k, k);
  const rawGet = await latency(k, async (i) => {
    const object = await client.send(new GetObjectCommand({ Bucket: bucket, Key: rawKey(picks[i] ?? 0) }));
    await object.Body?.transformToByteArray();
  });
  const rawList = await latency(plan.listRepeats, () => listAllKeys(client, bucket, `${root}raw/`));

  context.log(`s3: ${run.target.name}: lake on S3Backend, ${k} store / retrieve`);
  const backend = newBackend(run, `${root}lake/`);
  const lake = await DataLake.open(backend, run.lakeOptions);
  const ids: string[] = [];
  const store = await rate(k, plan.batches, async (i) => {
    const item = workItem(artifacts, i);
    ids.push(
      (
        await lake.store({
          name: item.name,
          subpath: item.subpath,
          dataType: item.dataType,
          content: item.bytes,
        })
      ).id,
    );
  });
  const retrieve = await latency(k, (i) => lake.retrieve(ids[picks[i] ?? 0] as string));
  const list = await latency(plan.listRepeats, () => lake.list());
  const backendList = await latency(plan.listRepeats, () => listBackend(backend, '.metadata/'));
  await lake.close();

  const rows = [
    row('store (sequential)', lakeLabel, k, store, {
      baseline: { label: 'PutObject', measurement: rawPut },
      target: rateRatioAtLeast(1 / 3, '≥ 1/3 of PutObject'),
    }),
    row('retrieve', lakeLabel, k, retrieve, {
      baseline: { label: 'GetObject', measurement: rawGet },
      target: latencyRatioAtMost(1.5),
    }),
    row('list() (catalog)', lakeLabel, k, list, {
      baseline: { label: 'ListObjectsV2', measurement: rawList },
    }),
    row(`backend.list('.metadata/') all pages`, lakeLabel, k, backendList, {
      baseline: { label: 'ListObjectsV2', measurement: rawList },
    }),
    row('PutObject (sequential)', rawLabel, k, rawPut),
    row('GetObject', rawLabel, k, rawGet),
    row('ListObjectsV2 all pages', rawLabel, k, rawList),
  ];
  collectGarbage();
  rows.push(await measureOpen(context, plan, run));
  return rows;
}

async function measureOpen(context: SuiteContext, plan: Plan, run: S3Run): Promise<ResultRow> {
  const prefix = `${run.root}open/`;
  const n = plan.openLakeSize;
  context.log(`s3: storing ${n} entries (${plan.setupConcurrency} in flight) for the open benchmark`);
  const lake = await DataLake.open(newBackend(run, prefix), run.lakeOptions);
  const started = now();
  let done = 0;
  await forEachBounded(n, plan.setupConcurrency, async (i) => {
    const item = workItem(run.artifacts, i);
    await lake.store({
      name: item.name,
      subpath: item.subpath,
      dataType: item.dataType,
      content: item.bytes,
    });
    if (++done % 1000 === 0)
      context.log(`s3:   ${done}/${n} stored (${((done * 1000) / (now() - started)).toFixed(0)}/s)`);
  });
  await lake.close();
  const opens: number[] = [];
  for (let i = 0; i < plan.opens; i++) {
    let reopened: DataLake | undefined;
    opens.push(
      await timeMs(async () => {
        reopened = await DataLake.open(newBackend(run, prefix), run.lakeOptions);
      }),
    );
    const total = (await reopened?.getStats())?.totalEntries;
    await reopened?.close();
    if (total !== n) throw new Error(`the reopened S3 lake has ${total} entries, expected ${n}`);
  }
  return {
    operation: 'DataLake.open',
    backend: `S3Backend (${run.target.name})`,
    n,
    result: { kind: 'latency', samples: opens },
    target: latencyAtMost(10_000),
  };
}

function newBackend(run: S3Run, prefix: string): S3Backend {
  return new S3Backend({
    ...backendOptions(run.target, run.bucket, prefix),
    atomicConditionalWrites: run.atomic,
  });
}

function backendOptions(target: S3Target, bucket: string, prefix: string) {
  return {
    bucket,
    prefix,
    endpoint: target.endpoint,
    region: target.region,
    credentials: target.credentials,
  };
}

/** Lets the backend probe the server the way users connect, and keeps the answer. */
async function probeConditionalWrites(target: S3Target, bucket: string, prefix: string): Promise<boolean> {
  const backend = await S3Backend.connect(backendOptions(target, bucket, prefix));
  try {
    return backend.capabilities.atomicConditionalWrites;
  } finally {
    await backend.close?.();
  }
}

/** Pages through a backend listing to the end, returning the number of objects. */
async function listBackend(backend: S3Backend, prefix: string): Promise<number> {
  let count = 0;
  let cursor: string | undefined;
  do {
    const page = await backend.list(prefix, cursor === undefined ? {} : { cursor });
    count += page.objects.length;
    cursor = page.cursor;
  } while (cursor !== undefined);
  return count;
}
