/**
 * Serves queries from a disk lake in a process of its own, so that its figures (time to open, query
 * latencies, peak RSS) are those of a process that only serves: the bench process also built the
 * lake. Run by `search.ts` as `node --import tsx search-serve.ts <request JSON>`; prints a
 * `ServeReport` as JSON on stdout.
 */
import { readFileSync } from 'node:fs';
import { DiskBackend } from '@datalake/backend-disk';
import { DataLake, type SearchMode } from '@datalake/core';

/** A query as the bench sends it: the text and the search mode (default `substring`). */
export interface BenchQuery {
  query: string;
  mode?: SearchMode;
}

export interface ServeRequest {
  root: string;
  search: 'index' | 'scan';
  queries: BenchQuery[];
  runs: number;
  limit: number;
}

export interface ServeReport {
  openMs: number;
  queries: Array<{ query: string; times: number[]; hits: number }>;
  /** Peak resident set size of this process, in KiB. */
  maxRssKiB: number;
}

async function serve(request: ServeRequest): Promise<ServeReport> {
  const started = performance.now();
  const lake = await DataLake.open(new DiskBackend({ root: request.root }), {
    search: request.search,
    onNotice: (message) => process.stderr.write(`notice: ${message}\n`),
  });
  const openMs = performance.now() - started;
  try {
    const queries = request.queries.map((query) => ({ ...query, times: [] as number[], hits: 0 }));
    // Round robin: every query meets the process equally warm (whichever ran first would otherwise
    // carry the process's start-up alone).
    for (let run = 0; run < request.runs; run++) {
      for (const measured of queries) {
        const queryStarted = performance.now();
        const options = { limit: request.limit, mode: measured.mode ?? 'substring' } as const;
        measured.hits = (await lake.search(measured.query, options)).hits.length;
        measured.times.push(performance.now() - queryStarted);
      }
    }
    return {
      openMs,
      queries: queries.map(({ query, times, hits }) => ({ query, times, hits })),
      maxRssKiB: peakRssKiB(),
    };
  } finally {
    await lake.close();
  }
}

/**
 * Peak resident set size of this process. On Linux, `getrusage` (behind `process.resourceUsage()`)
 * keeps the parent's peak across fork and exec, so a child spawned by a large bench process would
 * report the parent's size; VmHWM belongs to this process's own address space.
 */
function peakRssKiB(): number {
  try {
    const match = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'));
    if (match) return Number(match[1]);
  } catch {
    // Not Linux: fall through.
  }
  return process.resourceUsage().maxRSS;
}

const request = JSON.parse(process.argv[2] ?? '{}') as ServeRequest;
process.stdout.write(`${JSON.stringify(await serve(request))}\n`);
