import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DiskBackend } from '@datalake/backend-disk';
import { DataLake, type DataType } from '@datalake/core';
import { forEachBounded } from '../pool.js';
import { runProcess, tail } from '../processes.js';
import type { BenchQuery, ServeReport, ServeRequest } from './search-serve.js';

export interface SearchBenchOptions {
  corpusDir: string;
  /** Copies of the corpus per run, e.g. [1, 10] (100 takes long: about 1 GB of content). */
  scales: number[];
  workDir: string;
  log: (line: string) => void;
}

export const SELECTIVE: BenchQuery[] = [
  { query: 'ConnectionString' },
  { query: 'rental_date' },
  { query: 'stdLambda' },
  { query: 'worker_processes' },
  { query: 'Connection\\w*String', mode: 'regex' },
  { query: 'rental_(date|id)\\b', mode: 'regex' },
];
const BROAD: BenchQuery[] = [
  { query: 'select' },
  { query: 'end sub' },
  { query: 'end\\s+sub', mode: 'regex' },
  { query: '^\\s*select\\b', mode: 'regex' },
];
const RUNS = 7;
/** Fresh processes opening the lake, for the spread of the open time. */
const OPEN_RUNS = 3;
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

/**
 * Times opening the lake and queries in fresh processes (with the index, and with a brute-force scan
 * as the baseline), then a full rebuild of the index in this process.
 */
export async function measureSearchLake(
  root: string,
  scale: number,
  contentBytes: number,
  log: (line: string) => void,
): Promise<void> {
  const queries = [...SELECTIVE, ...BROAD];
  await flushWrites(log);
  const indexed: ServeReport[] = [];
  const scanned: ServeReport[] = [];
  // Alternated, so that whatever the machine does meanwhile (e.g. writing back the lake just built)
  // weighs on both kinds of process alike. Scanning queries run once: they take long.
  for (let run = 0; run < OPEN_RUNS; run++) {
    indexed.push(await serveInChild({ root, search: 'index', queries, runs: RUNS, limit: 50 }, log));
    const scanQueries = run === 0 ? queries : [];
    scanned.push(
      await serveInChild(
        { root, search: 'scan', queries: scanQueries, runs: scale >= 100 ? 2 : 3, limit: 50 },
        log,
      ),
    );
  }
  const openIndexed = indexed.map((report) => report.openMs);
  const openScanned = scanned.map((report) => report.openMs);
  log(
    `  open: ${range(openIndexed)} ms with its index, ${range(openScanned)} ms without (search: 'scan'); ` +
      `the index adds ${(median(openIndexed) - median(openScanned)).toFixed(0)} ms`,
  );
  for (const [q, query] of queries.entries()) {
    const kind = SELECTIVE.includes(query) ? 'selective' : 'broad';
    const label = query.mode === 'regex' ? `regex /${query.query}/` : JSON.stringify(query.query);
    const times = indexed.flatMap((report) => report.queries[q]?.times ?? []);
    const scan = scanned[0]?.queries[q] ?? { times: [], hits: 0 };
    log(
      `  ${kind} ${label}: index ${range(times)} ms (${indexed[0]?.queries[q]?.hits} hits on page 1), ` +
        `scan ${range(scan.times)} ms, ${(median(scan.times) / median(times)).toFixed(0)}x`,
    );
  }
  const rss = indexed.map((report) => report.maxRssKiB / 1024);
  log(`  peak RSS of a process opening the lake and serving these queries: ${range(rss)} MiB`);
  const lake = await DataLake.open(new DiskBackend({ root }), { onNotice: (m) => log(`  notice: ${m}`) });
  try {
    const rebuildStarted = performance.now();
    const report = await lake.reindex();
    const rebuildSeconds = (performance.now() - rebuildStarted) / 1000;
    const mib = contentBytes / 1024 / 1024;
    log(
      `  index build: ${(mib / rebuildSeconds).toFixed(1)} MiB/s of content (${rebuildSeconds.toFixed(1)} s); ` +
        `index ${(report.indexBytes / 1024 / 1024).toFixed(1)} MiB = ${(report.indexBytes / contentBytes).toFixed(2)}x content`,
    );
  } finally {
    await lake.close();
  }
}

/**
 * Writes the freshly built lake back to disk before anything is timed: otherwise the kernel flushes
 * its gigabyte of dirty pages while the serving processes run, and they measure that instead.
 */
async function flushWrites(log: (line: string) => void): Promise<void> {
  const started = performance.now();
  const result = await runProcess('sync', []).catch(() => undefined);
  if (result?.code === 0)
    log(
      `  (sync: the lake just built written back in ${(performance.now() - started).toFixed(0)} ms before timing)`,
    );
}

/** Runs `search-serve.ts` in a fresh Node process (same flags and loader as this one). */
async function serveInChild(request: ServeRequest, log: (line: string) => void): Promise<ServeReport> {
  const script = fileURLToPath(new URL('./search-serve.ts', import.meta.url));
  const result = await runProcess(process.execPath, [...process.execArgv, script, JSON.stringify(request)]);
  for (const line of result.stderr.split('\n')) if (line.startsWith('notice: ')) log(`  ${line}`);
  if (result.code !== 0) throw new Error(`search-serve exited with ${result.code}: ${tail(result.stderr)}`);
  return JSON.parse(result.stdout) as ServeReport;
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
