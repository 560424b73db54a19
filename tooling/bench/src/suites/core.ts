import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { DiskBackend } from '@datalake/backend-disk';
import { MemoryBackend } from '@datalake/backend-memory';
import { DATA_TYPES, DataLake, type DataType, type StorageBackend } from '@datalake/core';
import { type Artifact, loadArtifacts, syntheticArtifacts } from '../corpus.js';
import { collectGarbage, latency, type Measurement, rate, timeMs } from '../measure.js';
import { RawFsStore } from '../raw-fs.js';
import type { ResultRow, SuiteReport } from '../report.js';
import type { Suite, SuiteContext } from '../suite.js';
import { latencyAtMost, rateRatioAtLeast } from '../targets.js';
import { sampleIndexes, workItem } from '../workload.js';

/** Corpus files up to this size are the "small artifacts" the core suite cycles through. */
const MAX_ARTIFACT_BYTES = 16 * 1024;
/** The issue's targets apply at this lake size. */
const TARGET_SIZE = 100_000;
const RAW = 'raw fs';
/** Long store phases report progress this often. */
const PROGRESS_EVERY = 10_000;

interface Plan {
  batches: number;
  reads: number;
  listRepeats: number;
  statsRepeats: number;
  pathReads: number;
  opens: number;
  fsyncStores: number;
}

const FULL: Plan = {
  batches: 5,
  reads: 2000,
  listRepeats: 15,
  statsRepeats: 200,
  pathReads: 500,
  opens: 3,
  fsyncStores: 500,
};
const QUICK: Plan = {
  batches: 3,
  reads: 300,
  listRepeats: 5,
  statsRepeats: 50,
  pathReads: 100,
  opens: 2,
  fsyncStores: 100,
};

/** A lake under test: how to open (and reopen) it on its backend, and how to discard it. */
interface LakeSubject {
  label: string;
  backend(): StorageBackend;
  /** Memory lakes share one backend across reopenings, so they must not close it. */
  keepBackendOpen: boolean;
}

/** Issue 2: the DataLake API on memory and disk at several sizes, against raw node:fs in the same run. */
export const coreSuite: Suite = {
  name: 'core',
  title: 'core (issue 2): DataLake on memory and disk vs raw node:fs',
  async run(context) {
    const plan = context.quick ? QUICK : FULL;
    const artifacts = context.corpusDir
      ? await loadArtifacts(context.corpusDir, MAX_ARTIFACT_BYTES)
      : syntheticArtifacts();
    const rows: ResultRow[] = [];
    const notes: string[] = [
      `artifacts: ${artifacts.length} ${context.corpusDir ? `corpus files of ≤ ${MAX_ARTIFACT_BYTES / 1024} KiB` : 'synthetic texts'}, mean ${meanSize(artifacts)} B, cycled into copy<k>/ folders`,
      `lakes opened with ${JSON.stringify({ search: context.lakeOptions.search ?? 'index (default)' })}`,
      'store/retrieve: sequential, rate per consecutive batch; other rows: latency per call',
      'nothing is deleted until the bench ends: on ext4, file creations right after a mass delete are slower (recently freed inodes are passed over)',
      `targets (${TARGET_SIZE.toLocaleString('en-US')} entries): list by type, getStats, retrieveByPath median ≤ 5 ms; DataLake.open on disk ≤ 3 s; disk store ≥ 25% of raw (any N)`,
    ];
    let notices = 0;
    const lakeOptions = { ...context.lakeOptions, onNotice: () => void notices++ };

    for (const n of context.sizes) {
      const dir = path.join(context.workRoot, `core-${n}`);
      context.log(`core: N=${n}: raw fs baseline`);
      const raw = await measureRaw(path.join(dir, 'raw'), artifacts, n, plan, false);
      const subjects: LakeSubject[] = [memorySubject(), diskSubject(path.join(dir, 'disk'), false)];
      for (const subject of subjects) {
        context.log(`core: N=${n}: ${subject.label}`);
        rows.push(...(await measureLake(subject, artifacts, n, plan, raw, { ...lakeOptions }, context.log)));
        collectGarbage();
      }
    }

    const m = plan.fsyncStores;
    context.log(`core: fsync on (the disk backend's default), ${m} stores`);
    const dir = path.join(context.workRoot, 'core-fsync');
    const rawDurable = await measureRawStores(path.join(dir, 'raw'), artifacts, m, plan, true);
    const lake = await DataLake.open(diskSubject(path.join(dir, 'disk'), true).backend(), lakeOptions);
    const durable = await rate(m, plan.batches, (i) => storeItem(lake, artifacts, i));
    await lake.close();
    rows.push({
      operation: 'store',
      backend: 'disk (fsync on, default)',
      n: m,
      result: durable,
      baseline: { label: `${RAW} +fdatasync`, measurement: rawDurable },
    });
    notes.push(
      'fsync-on row: the default durability; no target (the target compares fsync off on both sides)',
    );
    if (notices > 0) notes.push(`the lakes emitted ${notices} notices during the run`);
    return { rows, notes } satisfies SuiteReport;
  },
};

interface RawFigures {
  store: Measurement;
  read: Measurement;
  readLatency: Measurement;
}

async function measureRawStores(
  root: string,
  artifacts: readonly Artifact[],
  n: number,
  plan: Plan,
  fsync: boolean,
): Promise<Measurement> {
  await mkdir(root, { recursive: true });
  const raw = new RawFsStore(root, fsync);
  return rate(n, plan.batches, (i) => {
    const item = workItem(artifacts, i);
    return raw.write(item.filePath, item.bytes);
  });
}

async function measureRaw(
  root: string,
  artifacts: readonly Artifact[],
  n: number,
  plan: Plan,
  fsync: boolean,
): Promise<RawFigures> {
  const store = await measureRawStores(root, artifacts, n, plan, fsync);
  const raw = new RawFsStore(root, fsync);
  const picks = sampleIndexes(n, plan.reads);
  const read = await rate(picks.length, plan.batches, (i) =>
    raw.read(workItem(artifacts, picks[i] ?? 0).filePath),
  );
  const pathPicks = sampleIndexes(n, plan.pathReads, 7);
  const readLatency = await latency(pathPicks.length, (i) =>
    raw.read(workItem(artifacts, pathPicks[i] ?? 0).filePath),
  );
  return { store, read, readLatency };
}

async function measureLake(
  subject: LakeSubject,
  artifacts: readonly Artifact[],
  n: number,
  plan: Plan,
  raw: RawFigures,
  options: Parameters<typeof DataLake.open>[1],
  log: SuiteContext['log'],
): Promise<ResultRow[]> {
  const backend = subject.backend();
  const lakeOptions = { ...options, keepBackendOpen: subject.keepBackendOpen };
  const lake = await DataLake.open(backend, lakeOptions);
  const row = (operation: string, result: Measurement, extra: Partial<ResultRow> = {}): ResultRow => ({
    operation,
    backend: subject.label,
    n,
    result,
    ...extra,
  });
  const isDisk = !subject.keepBackendOpen;
  const atTargetSize = n === TARGET_SIZE;
  const rows: ResultRow[] = [];

  const ids: string[] = [];
  const store = await rate(n, plan.batches, async (i) => {
    ids.push(await storeItem(lake, artifacts, i));
    if ((i + 1) % PROGRESS_EVERY === 0) log(`core:   ${subject.label}: ${i + 1}/${n} stored`);
  });
  rows.push(
    row('store', store, {
      baseline: { label: RAW, measurement: raw.store },
      ...(isDisk ? { target: rateRatioAtLeast(0.25, '≥ 25% of raw') } : {}),
    }),
  );

  const picks = sampleIndexes(n, plan.reads);
  const retrieve = await rate(picks.length, plan.batches, (i) => lake.retrieve(ids[picks[i] ?? 0] as string));
  rows.push(row('retrieve', retrieve, { baseline: { label: RAW, measurement: raw.read } }));

  const stats = await lake.getStats();
  const biggest = largestType(stats.entriesByType);
  const listed = (await lake.list({ dataType: biggest })).length;
  const list = await latency(plan.listRepeats, () => lake.list({ dataType: biggest }));
  rows.push(
    row(`list {dataType:'${biggest}'} → ${listed.toLocaleString('en-US')}`, list, targetAt(atTargetSize, 5)),
  );
  rows.push(
    row('getStats', await latency(plan.statsRepeats, () => lake.getStats()), targetAt(atTargetSize, 5)),
  );

  const pathPicks = sampleIndexes(n, plan.pathReads, 7);
  const byPath = await latency(pathPicks.length, (i) =>
    lake.retrieveByPath(workItem(artifacts, pathPicks[i] ?? 0).filePath),
  );
  rows.push(
    row('retrieveByPath', byPath, {
      baseline: { label: `${RAW} read`, measurement: raw.readLatency },
      ...targetAt(atTargetSize, 5),
    }),
  );

  await lake.close();
  const opens: number[] = [];
  for (let i = 0; i < plan.opens; i++) {
    const reopenedBackend = subject.keepBackendOpen ? backend : subject.backend();
    let reopened: DataLake | undefined;
    opens.push(
      await timeMs(async () => {
        reopened = await DataLake.open(reopenedBackend, lakeOptions);
      }),
    );
    if ((await reopened?.getStats())?.totalEntries !== n)
      throw new Error(`reopened ${subject.label} lake lost entries`);
    await reopened?.close();
  }
  rows.push(
    row(
      'DataLake.open',
      { kind: 'latency', samples: opens },
      isDisk && atTargetSize ? { target: latencyAtMost(3000) } : {},
    ),
  );
  if (subject.keepBackendOpen) await backend.close?.();
  return rows;
}

async function storeItem(lake: DataLake, artifacts: readonly Artifact[], i: number): Promise<string> {
  const item = workItem(artifacts, i);
  const entry = await lake.store({
    name: item.name,
    subpath: item.subpath,
    dataType: item.dataType,
    content: item.bytes,
  });
  return entry.id;
}

function targetAt(applies: boolean, ms: number): Partial<ResultRow> {
  return applies ? { target: latencyAtMost(ms) } : {};
}

function memorySubject(): LakeSubject {
  const backend = new MemoryBackend();
  return { label: 'memory', backend: () => backend, keepBackendOpen: true };
}

function diskSubject(root: string, fsync: boolean): LakeSubject {
  return {
    label: fsync ? 'disk (fsync on)' : 'disk (fsync off)',
    backend: () => (fsync ? new DiskBackend({ root }) : new DiskBackend({ root, fsync: false })),
    keepBackendOpen: false,
  };
}

function largestType(counts: Record<DataType, number>): DataType {
  return DATA_TYPES.reduce((best, type) => (counts[type] > counts[best] ? type : best));
}

function meanSize(artifacts: readonly Artifact[]): number {
  return Math.round(
    artifacts.reduce((sum, artifact) => sum + artifact.bytes.byteLength, 0) / artifacts.length,
  );
}
