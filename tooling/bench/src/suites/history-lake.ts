import { createHash, randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import path from 'node:path';
import { DiskBackend } from '@datalake/backend-disk';
import { DataLake, PutMode, type StorageBackend } from '@datalake/core';
import { type Measurement, timeMs } from '../measure.js';
import type { SuiteContext } from '../suite.js';

const encoder = new TextEncoder();
const WRITES_AT_ONCE = 32;

/**
 * A lake of `size` entries, each with `versions` versions (a store, then metadata-only updates,
 * one hour apart), written object by object (content, path claim, record) straight through a disk
 * backend with fsync off: far quicker than `size × versions` lake calls, and the same objects the
 * lake would write. Opened and closed once, so it has its catalog snapshot like any used lake; with
 * more than one version, a `list({ asOf })` at `asOf` (between the second and third versions) in
 * that session leaves its timeline file too (`building`: how long that first listing took).
 */
export async function generatedLake(
  context: SuiteContext,
  size: number,
  versions: number,
): Promise<{ root: string; times: number[]; asOf: Date; building: number | undefined }> {
  const root = path.join(context.workRoot, `history-generated-${size}-${versions}`);
  const backend = new DiskBackend({ root, fsync: false });
  const start = Date.UTC(2026, 0, 1);
  const times = Array.from({ length: versions }, (_, index) => start + index * 3_600_000);
  const writer = { host: hostname(), pid: process.pid, instance: randomUUID(), at: new Date().toISOString() };
  let next = 0;
  const worker = async () => {
    while (next < size) {
      const i = next++;
      await writeEntry(backend, i, times, writer);
      if (i > 0 && i % 20_000 === 0) context.log(`history: generated ${i} of ${size} (${versions} versions)`);
    }
  };
  await Promise.all(Array.from({ length: WRITES_AT_ONCE }, worker));
  const lake = await DataLake.open(backend, { ...context.lakeOptions, search: 'scan', onNotice: () => {} });
  // Written without a timeline file: the first listing reads every record, and close keeps the index.
  const asOf = new Date((times[1] ?? start) + 60_000);
  const building = versions > 1 ? await timeMs(() => lake.list({ asOf })) : undefined;
  await lake.close();
  return { root, times, asOf, building };
}

async function writeEntry(
  backend: StorageBackend,
  i: number,
  times: number[],
  writer: Record<string, unknown>,
): Promise<void> {
  const id = randomUUID();
  const subpath = `f${i % 100}`;
  const name = `e${i}.txt`;
  const filePath = `other/${subpath}/${name}`;
  const content = encoder.encode(`entry ${i}\n`);
  const sha256 = createHash('sha256').update(content).digest('hex');
  const history = times.map((time, index) => ({
    version: index + 1,
    at: new Date(time).toISOString(),
    op: index === 0 ? 'store' : 'update',
    deleted: false,
    size: content.byteLength,
    sha256,
    metadata: { revision: index },
  }));
  const last = history[history.length - 1] as (typeof history)[number];
  const entry = {
    id,
    name,
    dataType: 'other',
    metadata: last.metadata,
    createdAt: history[0]?.at,
    updatedAt: times.length > 1 ? last.at : null,
    filePath,
    subpath,
    size: content.byteLength,
    sha256,
  };
  const claim = { format: 1, id, filePath, writer };
  const claimKey = `.claims/${createHash('sha256').update(filePath).digest('hex')}`;
  await Promise.all([
    backend.put(filePath, content, { mode: PutMode.create }),
    backend.put(claimKey, encoder.encode(JSON.stringify(claim)), { mode: PutMode.create }),
    backend.put(
      `.metadata/${id}.json`,
      encoder.encode(JSON.stringify({ format: 1, entry, history: { versions: history, pages: [] } })),
      { mode: PutMode.create },
    ),
  ]);
}

/**
 * `DataLake.open` of each root, alternating, `runs` times each (search: scan: the lake alone).
 * `opened` runs on each opened lake, untimed by the open, before it is closed: so the lakes opened
 * for the open rows serve the rows that need a freshly opened lake too.
 */
export async function interleavedOpens(
  context: SuiteContext,
  roots: readonly string[],
  runs: number,
  opened: (index: number, lake: DataLake) => Promise<void> = async () => {},
): Promise<Measurement[]> {
  const samples = roots.map(() => [] as number[]);
  for (let run = 0; run < runs; run++) {
    for (const [index, root] of roots.entries()) {
      const backend = new DiskBackend({ root, fsync: false });
      let lake: DataLake | undefined;
      samples[index]?.push(
        await timeMs(async () => {
          lake = await DataLake.open(backend, { ...context.lakeOptions, search: 'scan', onNotice: () => {} });
        }),
      );
      if (lake) await opened(index, lake);
      await lake?.close();
    }
  }
  return samples.map((values) => ({ kind: 'latency', samples: values }));
}

/**
 * `list({ asOf })` at a moment every entry has changed since, on lakes `interleavedOpens` opened
 * afresh: `first` is the first call (the timeline index read from the lake), `again` a later one.
 */
export class ListsAsOf {
  readonly first: number[] = [];
  readonly again: number[] = [];
  listed = 0;

  constructor(private readonly asOf: Date) {}

  async time(lake: DataLake): Promise<void> {
    this.first.push(
      await timeMs(async () => {
        this.listed = (await lake.list({ asOf: this.asOf })).length;
      }),
    );
    this.again.push(await timeMs(() => lake.list({ asOf: this.asOf })));
  }

  measurements(): { first: Measurement; again: Measurement } {
    return {
      first: { kind: 'latency', samples: this.first },
      again: { kind: 'latency', samples: this.again },
    };
  }
}
