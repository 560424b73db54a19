import path from 'node:path';
import { DiskBackend } from '@datalake/backend-disk';
import { MemoryBackend } from '@datalake/backend-memory';
import { DataLake, DataType, type StorageBackend } from '@datalake/core';
import { collectGarbage, type Measurement, now } from '../measure.js';
import { RawFsStore } from '../raw-fs.js';
import type { ResultRow, SuiteReport } from '../report.js';
import type { Suite, SuiteContext } from '../suite.js';
import { latencyRatioAtMost, rateRatioAtLeast } from '../targets.js';
import { liveText, selectiveQuery } from './live-texts.js';

const ENTRY_BYTES = 4096;
/** Stores in flight for the group-commit row. */
const IN_FLIGHT = 32;
/** Stores of one in-flight batch: several times `IN_FLIGHT`, so that the batch runs at full width most of the time. */
const IN_FLIGHT_BATCH = IN_FLIGHT * 5;
/** New content stored before the "first search after a bulk of writes" row. */
const BULK_BYTES = 16 * 1024 * 1024;

interface Plan {
  /** Rounds of the durable-store comparison; each round times the raw baseline and the lake alternately. */
  rounds: number;
  /** Writes per round and side. */
  perRound: number;
  /** Alternations of one store and one search. */
  alternations: number;
  /** Lake sizes of the search-between-writes rows. */
  sizes: number[];
  /** A/B rounds the alternations are split into (quiet searches, then searches after a store). */
  searchRounds: number;
}

// Many short rounds: the ratio of each round is taken under about the same load, so that the
// median does not drift with a busy machine.
const FULL: Plan = {
  rounds: 21,
  perRound: 20,
  alternations: 40,
  sizes: [5000, 20_000, 100_000],
  searchRounds: 8,
};
const QUICK: Plan = { rounds: 9, perRound: 15, alternations: 20, sizes: [5000, 20_000], searchRounds: 4 };

/**
 * Issue 12: the lake under a live workload. Durable stores against raw `write` + `fdatasync` +
 * `rename` in the same run, stores in flight against one at a time, and searches between writes
 * against the same searches on the unchanged lake.
 */
export const liveSuite: Suite = {
  name: 'live',
  title: 'live (issue 12): durable stores and searches between writes',
  async run(context) {
    const plan = context.quick ? QUICK : FULL;
    const rows: ResultRow[] = [];
    const notes: string[] = [
      `durable stores: ${ENTRY_BYTES} B entries on the disk backend with fsync on (the default), rounds of ${plan.perRound} alternating with the raw baseline`,
      `searches between writes: one store, then one selective search (${plan.alternations} times), against the same queries on the unchanged lake`,
    ];
    rows.push(...(await durableStores(context, plan, notes)));
    collectGarbage();
    for (const n of plan.sizes) {
      for (const subject of SUBJECTS) {
        rows.push(...(await searchesBetweenWrites(context, plan, subject, n, notes)));
        collectGarbage();
      }
    }
    return { rows, notes } satisfies SuiteReport;
  },
};

async function durableStores(context: SuiteContext, plan: Plan, notes: string[]): Promise<ResultRow[]> {
  const root = path.join(context.workRoot, 'live-durable');
  const raw = new RawFsStore(path.join(root, 'raw'), true);
  const lake = await DataLake.open(new DiskBackend({ root: path.join(root, 'lake') }), {
    ...context.lakeOptions,
    onNotice: () => {},
  });
  const bytes = (i: number) => liveText(i, ENTRY_BYTES);
  let next = 0;
  const rawRates: number[] = [];
  const lakeRates: number[] = [];
  const parallelRates: number[] = [];
  context.log(`live: durable stores, ${plan.rounds} rounds`);
  try {
    const rawRound = () =>
      rateOf(plan.perRound, async () => {
        const i = next++;
        await raw.write(`other/durable/${i}.txt`, bytes(i));
      });
    const lakeRound = () =>
      rateOf(plan.perRound, async () => {
        const i = next++;
        await lake.store({
          name: `${i}.txt`,
          content: bytes(i),
          dataType: DataType.OTHER,
          subpath: 'durable',
        });
      });
    for (let round = 0; round < plan.rounds; round++) {
      // Which side goes first alternates, so that neither always follows the in-flight batch.
      if (round % 2 === 0) {
        rawRates.push(await rawRound());
        lakeRates.push(await lakeRound());
      } else {
        lakeRates.push(await lakeRound());
        rawRates.push(await rawRound());
      }
      const batch = IN_FLIGHT_BATCH;
      const start = now();
      let started = 0;
      await Promise.all(
        Array.from({ length: IN_FLIGHT }, async () => {
          while (started < batch) {
            started++;
            const i = next++;
            await lake.store({
              name: `${i}.txt`,
              content: bytes(i),
              dataType: DataType.OTHER,
              subpath: 'parallel',
            });
          }
        }),
      );
      parallelRates.push((batch * 1000) / (now() - start));
    }
  } finally {
    await lake.close();
  }
  const perRound = (result: number[], baseline: number[]) =>
    result.map((rate, round) => rate / (baseline[round] as number));
  const oneRatios = perRound(lakeRates, rawRates);
  const parallelRatios = perRound(parallelRates, lakeRates);
  notes.push(
    `durable store / raw, per round: ${oneRatios.map((ratio) => `${ratio.toFixed(2)}×`).join(' ')} (median ${middle(oneRatios).toFixed(2)}×)`,
    `${IN_FLIGHT} in flight / one at a time, per round: ${parallelRatios.map((ratio) => `${ratio.toFixed(2)}×`).join(' ')} (median ${middle(parallelRatios).toFixed(2)}×)`,
  );
  const rawMeasurement: Measurement = { kind: 'rate', samples: rawRates };
  const oneAtATime: Measurement = { kind: 'rate', samples: lakeRates };
  return [
    {
      operation: 'raw write+fdatasync+rename',
      backend: 'node:fs',
      n: plan.rounds * plan.perRound,
      result: rawMeasurement,
    },
    {
      operation: 'store, one at a time',
      backend: 'disk (fsync on)',
      n: plan.rounds * plan.perRound,
      result: oneAtATime,
      baseline: { label: 'raw', measurement: rawMeasurement },
      target: rateRatioAtLeast(0.8, '≥ 0.8× raw'),
    },
    {
      operation: `store, ${IN_FLIGHT} in flight`,
      backend: 'disk (fsync on)',
      n: plan.rounds * IN_FLIGHT_BATCH,
      result: { kind: 'rate', samples: parallelRates },
      baseline: { label: 'one at a time', measurement: oneAtATime },
      target: rateRatioAtLeast(3, '≥ 3× one at a time'),
    },
  ];
}

interface Subject {
  label: string;
  backend(root: string): StorageBackend;
}

const SUBJECTS: Subject[] = [
  { label: 'memory', backend: () => new MemoryBackend() },
  { label: 'disk (fsync off)', backend: (root) => new DiskBackend({ root, fsync: false }) },
];

async function searchesBetweenWrites(
  context: SuiteContext,
  plan: Plan,
  subject: Subject,
  n: number,
  notes: string[],
): Promise<ResultRow[]> {
  const root = path.join(context.workRoot, `live-search-${subject.label.replace(/\W+/g, '-')}-${n}`);
  const lake = await DataLake.open(subject.backend(root), { ...context.lakeOptions, onNotice: () => {} });
  context.log(`live: ${subject.label}, filling ${n.toLocaleString('en-US')} entries`);
  const store = (i: number, size: number, folder: string) =>
    lake.store({
      name: `${i}.txt`,
      content: liveText(i, size),
      dataType: DataType.DOCUMENTATION,
      subpath: folder,
    });
  try {
    await inFlight(n, 16, (i) => store(i, 512 + (i % 8) * 448, `base/${i % 100}`));
    const queries = Array.from({ length: plan.alternations }, (_, k) => selectiveQuery(k * 7919, n));
    for (const query of queries.slice(0, 5)) await lake.search(query); // warm up
    // A/B rounds: searches on the unchanged lake, then the same searches each after a store, so that
    // the machine's load weighs on both sides alike. The first search of a quiet block is untimed: it
    // pays for the block's preceding stores.
    const quiet: number[] = [];
    const between: number[] = [];
    const roundRatios: number[] = [];
    const perRound = Math.max(1, Math.floor(queries.length / plan.searchRounds));
    let fresh = n;
    for (let round = 0; round < plan.searchRounds; round++) {
      const block = queries.slice(round * perRound, (round + 1) * perRound);
      await lake.search(block[0] as string);
      const quietBlock: number[] = [];
      for (const query of block) quietBlock.push(await timed(() => lake.search(query)));
      const betweenBlock: number[] = [];
      for (const query of block) {
        await store(fresh++, 2048, 'live');
        betweenBlock.push(await timed(() => lake.search(query)));
      }
      quiet.push(...quietBlock);
      between.push(...betweenBlock);
      roundRatios.push(middle(betweenBlock) / middle(quietBlock));
    }
    // The first search after a bulk of writes, against quiet searches right before and after it.
    await lake.search(queries[1] as string);
    const aroundBulk: number[] = [];
    for (const query of queries.slice(0, 5)) aroundBulk.push(await timed(() => lake.search(query)));
    let bulk = 0;
    while (bulk < BULK_BYTES) {
      await store(fresh++, 4096, 'bulk');
      bulk += 4096;
    }
    const afterBulk = await timed(() => lake.search(queries[0] as string));
    for (const query of queries.slice(0, 5)) aroundBulk.push(await timed(() => lake.search(query)));
    const quietMeasurement: Measurement = { kind: 'latency', samples: quiet };
    const backend = subject.label;
    notes.push(
      `${backend}, ${n.toLocaleString('en-US')} entries: search after a store / unchanged, per A/B round: ${roundRatios.map((ratio) => `${ratio.toFixed(2)}×`).join(' ')} (median ${middle(roundRatios).toFixed(2)}×)`,
    );
    return [
      { operation: 'selective search, unchanged lake', backend, n, result: quietMeasurement },
      {
        operation: 'selective search after a store',
        backend,
        n,
        result: { kind: 'latency', samples: between },
        baseline: { label: 'unchanged', measurement: quietMeasurement },
        target: latencyRatioAtMost(2),
      },
      {
        operation: 'first search after 16 MiB stored',
        backend,
        n,
        result: { kind: 'latency', samples: [afterBulk] },
        baseline: { label: 'unchanged, around it', measurement: { kind: 'latency', samples: aroundBulk } },
        target: latencyRatioAtMost(2),
      },
    ];
  } finally {
    await lake.close();
  }
}

function middle(samples: readonly number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  const half = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[half] as number)
    : ((sorted[half - 1] as number) + (sorted[half] as number)) / 2;
}

async function rateOf(count: number, action: () => Promise<unknown>): Promise<number> {
  const start = now();
  for (let i = 0; i < count; i++) await action();
  return (count * 1000) / (now() - start);
}

async function timed(action: () => Promise<unknown>): Promise<number> {
  const start = now();
  await action();
  return now() - start;
}

async function inFlight(
  total: number,
  width: number,
  action: (i: number) => Promise<unknown>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < total) await action(next++);
    }),
  );
}
