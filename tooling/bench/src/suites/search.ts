import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { DiskBackend } from '@datalake/backend-disk';
import { DataLake, type DataType } from '@datalake/core';
import { forEachBounded } from '../pool.js';

export interface SearchBenchOptions {
  corpusDir: string;
  /** Copies of the corpus per run, e.g. [1, 10] (100 takes long: about 1 GB of content). */
  scales: number[];
  workDir: string;
  log: (line: string) => void;
}

const SELECTIVE = ['ConnectionString', 'rental_date', 'stdLambda', 'worker_processes'];
const BROAD = ['select', 'end sub'];
const RUNS = 7;
/** Stores in flight while building a test lake (the build is setup, not a measured figure). */
const STORE_CONCURRENCY = 32;

/**
 * Indexed search on disk-backed lakes of the corpus stored `scale` times under distinct subpaths,
 * with a brute-force scan of the same lake (`search: 'scan'`) as the in-run baseline.
 */
export async function benchSearch(options: SearchBenchOptions): Promise<void> {
  const files = await corpusFiles(options.corpusDir);
  for (const scale of options.scales) {
    const root = join(options.workDir, `search-x${scale}`);
    await rm(root, { recursive: true, force: true });
    await buildSearchLake(root, files, scale, options.log);
    await measureSearchLake(root, scale, corpusBytes(files) * scale, options.log);
  }
}

/** Stores the corpus `scale` times under `copyN/` subpaths (no fsync: this is setup, not a measurement). */
export async function buildSearchLake(
  root: string,
  files: readonly CorpusFile[],
  scale: number,
  log: (line: string) => void,
): Promise<void> {
  const started = performance.now();
  const writer = await DataLake.open(new DiskBackend({ root, fsync: false }), { onNotice: () => {} });
  await forEachBounded(files.length * scale, STORE_CONCURRENCY, async (i) => {
    const file = files[i % files.length] as CorpusFile;
    const copy = Math.floor(i / files.length);
    await writer.store({ ...file, subpath: [`copy${copy}`, file.subpath].filter(Boolean).join('/') });
  });
  await writer.close();
  const mib = (corpusBytes(files) * scale) / 1024 / 1024;
  log(
    `search x${scale}: ${files.length * scale} entries, ${mib.toFixed(1)} MiB stored in ` +
      `${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
}

/** Opens the lake with its index, times queries against a scan of the same lake, then a full rebuild. */
export async function measureSearchLake(
  root: string,
  scale: number,
  contentBytes: number,
  log: (line: string) => void,
): Promise<void> {
  const openStarted = performance.now();
  const lake = await DataLake.open(new DiskBackend({ root }), { onNotice: (m) => log(`  notice: ${m}`) });
  log(`  open with index: ${(performance.now() - openStarted).toFixed(0)} ms`);
  const scan = await DataLake.open(new DiskBackend({ root }), { search: 'scan', onNotice: () => {} });
  try {
    for (const [kind, queries] of [
      ['selective', SELECTIVE],
      ['broad', BROAD],
    ] as const) {
      for (const query of queries) {
        const indexed = await timed(() => lake.search(query, { limit: 50 }));
        const scanned = await timed(() => scan.search(query, { limit: 50 }), scale >= 100 ? 2 : 3);
        log(
          `  ${kind} ${JSON.stringify(query)}: index ${range(indexed.times)} ms (${indexed.hits} hits on page 1), ` +
            `scan ${range(scanned.times)} ms, ${(median(scanned.times) / median(indexed.times)).toFixed(0)}x`,
        );
      }
    }
    log(`  peak RSS while serving queries: ${peakRssMiB()} MiB`);
    const rebuildStarted = performance.now();
    const report = await lake.reindex();
    const rebuildSeconds = (performance.now() - rebuildStarted) / 1000;
    const mib = contentBytes / 1024 / 1024;
    log(
      `  index build: ${(mib / rebuildSeconds).toFixed(1)} MiB/s of content (${rebuildSeconds.toFixed(1)} s); ` +
        `index ${(report.indexBytes / 1024 / 1024).toFixed(1)} MiB = ${(report.indexBytes / contentBytes).toFixed(2)}x content`,
    );
    log(`  peak RSS so far: ${peakRssMiB()} MiB`);
  } finally {
    await scan.close();
    await lake.close();
  }
}

function peakRssMiB(): string {
  return (process.resourceUsage().maxRSS / 1024).toFixed(0);
}

async function timed(
  run: () => Promise<{ hits: unknown[] }>,
  runs = RUNS,
): Promise<{ times: number[]; hits: number }> {
  const times: number[] = [];
  let hits = 0;
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    hits = (await run()).hits.length;
    times.push(performance.now() - started);
  }
  return { times, hits };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

function range(values: number[]): string {
  const sorted = [...values].sort((a, b) => a - b);
  const f = (n: number) => (n < 10 ? n.toFixed(2) : n.toFixed(0));
  return `${f(sorted[0] as number)}–${f(median(values))}–${f(sorted.at(-1) as number)}`;
}

export interface CorpusFile {
  name: string;
  dataType: DataType;
  subpath: string;
  content: Uint8Array;
}

function corpusBytes(files: readonly CorpusFile[]): number {
  return files.reduce((sum, file) => sum + file.content.byteLength, 0);
}

export async function corpusFiles(dir: string): Promise<CorpusFile[]> {
  const manifest = await readFile(join(dir, 'manifest.tsv'), 'utf8');
  const files: CorpusFile[] = [];
  for (const row of manifest.trim().split('\n').slice(1)) {
    const [path, type] = row.split('\t') as [string, DataType];
    const parts = path.split('/');
    files.push({
      name: parts.at(-1) as string,
      dataType: type,
      subpath: parts.slice(1, -1).join('/'),
      content: new Uint8Array(await readFile(join(dir, path))),
    });
  }
  return files;
}
