import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { Agent, request } from 'node:http';
import path from 'node:path';
import { createInterface, type Interface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { DiskBackend } from '@datalake/backend-disk';
import { S3Backend } from '@datalake/backend-s3';
import { DataLake, DataType } from '@datalake/core';
import autocannon from 'autocannon';
import { type Measurement, median, now } from '../measure.js';
import { forEachBounded } from '../pool.js';
import type { ResultRow } from '../report.js';
import { createBucket, deleteBucket, deletePrefix, rawClient, s3TargetsFromEnv } from '../s3-client.js';
import type { Suite, SuiteContext } from '../suite.js';
import { latencyAtMost, rateRatioAtLeast, type TargetSpec } from '../targets.js';
import { buildSearchLake, corpusFiles, SELECTIVE } from './search.js';

/** The search bench's selective substring queries (the HTTP target is stated for those). */
const SELECTIVE_QUERIES = SELECTIVE.filter((query) => query.mode === undefined).map((query) => query.query);

import type { ServerServeRequest, ServeStarted } from './server-serve.js';

const CONNECTIONS = 32;
/** Stores each side makes before the timed ones, so neither is timed while its code is still cold. */
const WARM_UP_STORES = 500;
const BODY = Buffer.alloc(4096, 0x62);
const RSS_TARGET_MIB = 400;
/** S3 requests in flight while the S3 lake of the two-instance rows is built. */
const BUILD_CONCURRENCY = 128;

/** Issue 13: the lake over HTTP against in-process calls and a bare route of the same framework. */
export const serverSuite: Suite = {
  name: 'server',
  title: 'server (issue 13): datalake serve over loopback',
  async run(context) {
    const rows: ResultRow[] = [];
    const notes: string[] = [];
    const runs = (row: string) => context.rows === undefined || context.rows.includes(row);
    if (runs('retrieve')) rows.push(await retrieveRow(context));
    if (runs('store')) rows.push(await storeRow(context, notes));
    if (runs('propagation')) rows.push(...(await propagationRows(context)));
    if (runs('s3')) rows.push(...(await s3PropagationRows(context, notes)));
    if (!runs('search')) {
      // Not asked for.
    } else if (context.corpusDir) rows.push(...(await searchRows(context, notes)));
    else notes.push('search and RSS rows skipped: no corpus (set DATALAKE_CORPUS)');
    notes.push(
      `retrieve: autocannon, ${CONNECTIONS} connections, GET of one 4 KiB entry's content against GET of a bare Fastify route sending 4 KiB from memory; each in a server process of its own, rounds alternated`,
      `store: ${CONNECTIONS} in flight on both sides: autocannon POSTs of 4 KiB (unique names) to a server over a fresh disk lake (fsync off), against ${CONNECTIONS} concurrent lake.store calls in this process on a fresh disk lake (fsync off)`,
    );
    return { rows, notes };
  },
};

async function retrieveRow(context: SuiteContext): Promise<ResultRow> {
  const seconds = context.quick ? 2 : 5;
  const rounds = context.quick ? 3 : 5;
  const root = path.join(context.workRoot, 'server-retrieve');
  const lake = await startChild({ kind: 'lake', root }, context);
  const bare = await startChild({ kind: 'bare', bodyBytes: BODY.byteLength }, context);
  try {
    const entry = await httpJson(
      lake.started.url,
      'POST',
      '/v1/entries?name=blob.bin&dataType=other',
      {
        ...auth(lake.started),
        'content-type': 'application/octet-stream',
      },
      BODY,
    );
    const target = { url: `${lake.started.url}/v1/entries/${entry.id}/content`, headers: auth(lake.started) };
    const baseline = { url: `${bare.started.url}/blob`, headers: {} };
    await cannon({ ...target, duration: 2 });
    await cannon({ ...baseline, duration: 2 });
    const served: number[] = [];
    const bareRates: number[] = [];
    for (let round = 0; round < rounds; round++) {
      served.push(await cannon({ ...target, duration: seconds }));
      bareRates.push(await cannon({ ...baseline, duration: seconds }));
    }
    context.log(
      `server retrieve: ${served.map(Math.round).join(', ')} req/s; bare route ${bareRates.map(Math.round).join(', ')}`,
    );
    return {
      operation: 'retrieve 4 KiB (HTTP, 32 conn.)',
      backend: 'disk',
      n: 1,
      result: { kind: 'rate', samples: served },
      baseline: { label: 'bare Fastify route', measurement: { kind: 'rate', samples: bareRates } },
      target: rateRatioAtLeast(0.5),
    };
  } finally {
    await Promise.all([lake.stop(), bare.stop()]);
    await rm(root, { recursive: true, force: true });
  }
}

async function storeRow(context: SuiteContext, notes: string[]): Promise<ResultRow> {
  const count = context.quick ? 1000 : 4000;
  const rounds = context.quick ? 2 : 3;
  const overHttp: number[] = [];
  const inProcess: number[] = [];
  // CPU time per store: the server process's own against this process's for the in-process calls.
  // On a loaded machine the rates say as much about the load as about the code; CPU time does not.
  const serverCpuMs: number[] = [];
  const localCpuMs: number[] = [];
  const generatorCpuMs: number[] = [];
  for (let round = 0; round < rounds; round++) {
    // Which side goes first alternates, so a change of the machine's load weighs on both alike.
    const sides = [() => httpRound(round), () => localRound(round)];
    if (round % 2 === 1) sides.reverse();
    for (const side of sides) await side();
  }

  async function httpRound(round: number): Promise<void> {
    const httpRoot = path.join(context.workRoot, `server-store-http-${round}`);
    const child = await startChild({ kind: 'lake', root: httpRoot, refreshIntervalMs: 0 }, context);
    try {
      // Both sides warm up alike (a fresh process compiles its code on the first requests).
      await storeOverHttp(child.started, WARM_UP_STORES, 'warm');
      const before = await child.counters();
      const cpu = process.cpuUsage();
      const started = now();
      const stored = await storeOverHttp(child.started, count, 'bench');
      overHttp.push((stored * 1000) / (now() - started));
      const used = process.cpuUsage(cpu);
      generatorCpuMs.push((used.user + used.system) / 1000 / stored);
      serverCpuMs.push(((await child.counters()).cpuMs - before.cpuMs) / stored);
    } finally {
      await child.stop();
      await rm(httpRoot, { recursive: true, force: true });
    }
  }

  async function localRound(round: number): Promise<void> {
    const localRoot = path.join(context.workRoot, `server-store-local-${round}`);
    const lake = await DataLake.open(new DiskBackend({ root: localRoot, fsync: false }), {
      onNotice: () => {},
    });
    try {
      await forEachBounded(WARM_UP_STORES, CONNECTIONS, (i) =>
        lake.store({ name: `f${i}.bin`, content: BODY, dataType: DataType.OTHER, subpath: 'warm' }),
      );
      const cpu = process.cpuUsage();
      const started = now();
      await forEachBounded(count, CONNECTIONS, (i) =>
        lake.store({ name: `f${i}.bin`, content: BODY, dataType: DataType.OTHER, subpath: 'bench' }),
      );
      inProcess.push((count * 1000) / (now() - started));
      const used = process.cpuUsage(cpu);
      localCpuMs.push((used.user + used.system) / 1000 / count);
    } finally {
      await lake.close();
      await rm(localRoot, { recursive: true, force: true });
    }
  }

  context.log(
    `server store: ${overHttp.map(Math.round).join(', ')} /s over HTTP; ${inProcess.map(Math.round).join(', ')} /s in process`,
  );
  const cpuMedian = (samples: number[]) => median({ kind: 'latency', samples }).toFixed(2);
  notes.push(
    `store CPU per entry (medians of ${rounds} rounds): server process ${cpuMedian(serverCpuMs)} ms (rounds ${serverCpuMs.map((ms) => ms.toFixed(2)).join(', ')}), in-process lake.store ${cpuMedian(localCpuMs)} ms (${localCpuMs.map((ms) => ms.toFixed(2)).join(', ')}); the load generator (autocannon, in the bench process, on the same cores as the server) ${cpuMedian(generatorCpuMs)} ms per request`,
  );
  return {
    operation: 'store 4 KiB (HTTP, 32 in flight)',
    backend: 'disk, no fsync',
    n: count,
    result: { kind: 'rate', samples: overHttp },
    baseline: { label: 'in-process lake.store', measurement: { kind: 'rate', samples: inProcess } },
    target: rateRatioAtLeast(0.7),
  };
}

/** `count` stores of 4 KiB over HTTP, 32 in flight, in `subpath`; the number stored. */
async function storeOverHttp(server: ServeStarted, count: number, subpath: string): Promise<number> {
  let next = 0;
  const result = await autocannon({
    url: server.url,
    connections: CONNECTIONS,
    amount: count,
    // A loaded machine can hold a request longer than autocannon's default of 10 s: slow, not failed.
    timeout: 60,
    requests: [
      {
        method: 'POST',
        headers: { ...auth(server), 'content-type': 'application/octet-stream' },
        body: BODY,
        setupRequest: (outgoing) => ({
          ...outgoing,
          path: `/v1/entries?name=f${next++}.bin&dataType=other&subpath=${subpath}`,
        }),
      },
    ],
  });
  if (result.non2xx > 0 || result.errors > 0)
    throw new Error(`HTTP store: ${result.non2xx} non-2xx answers, ${result.errors} errors`);
  return result.requests.total;
}

/** Two servers over one disk lake: how long until a store through one is served by the other. */
async function propagationRows(context: SuiteContext): Promise<ResultRow[]> {
  const root = path.join(context.workRoot, 'server-two');
  try {
    const { samples, revocations } = await propagation(context, { kind: 'lake', root });
    return [
      {
        operation: 'store via A listed by B (refresh 1 s)',
        backend: 'disk, 2 processes',
        n: samples.length,
        result: { kind: 'latency', samples },
        target: latencyAtMost(2000),
      },
      {
        operation: 'revoke via A refused by B (refresh 1 s)',
        backend: 'disk, 2 processes',
        n: revocations.length,
        result: { kind: 'latency', samples: revocations },
        target: latencyAtMost(2000),
      },
    ];
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

/**
 * Two servers over one lake: for each of several stores through A, how long until B lists it; and
 * the storage list calls B made meanwhile, by prefix.
 */
async function propagation(context: SuiteContext, serveRequest: ServerServeRequest): Promise<Propagation> {
  const a = await startChild(serveRequest, context);
  const b = await startChild(serveRequest, context);
  const samples: number[] = [];
  const revocations: number[] = [];
  let callsPerRefresh = Number.NaN;
  let listsOfB: Record<string, number> = {};
  try {
    // What B's refreshes cost while nothing changes: storage calls per refresh over a few seconds.
    await sleep(2000);
    const before = await b.counters();
    await sleep(context.quick ? 3000 : 6000);
    const after = await b.counters();
    callsPerRefresh = (after.calls - before.calls) / Math.max(1, after.refreshes - before.refreshes);
    for (let i = 0; i < (context.quick ? 4 : 10); i++) {
      await httpJson(
        a.started.url,
        'POST',
        `/v1/entries?name=p${i}.txt&dataType=other`,
        {
          ...auth(a.started),
          'content-type': 'application/octet-stream',
        },
        Buffer.from(`entry ${i}`),
      );
      const started = now();
      // Listed, not just found: a lookup by id or path reaches storage at once, a listing needs B's refresh.
      while (!(await listedBy(b.started, `other/p${i}.txt`))) await sleep(5);
      samples.push(now() - started);
    }
    for (let i = 0; i < (context.quick ? 3 : 6); i++)
      revocations.push(await revocation(a.started, b.started));
  } finally {
    const [, stoppedB] = await Promise.all([a.stop(), b.stop()]);
    listsOfB = stoppedB.lists ?? {};
  }
  return { samples, revocations, callsPerRefresh, listsOfB };
}

interface Propagation {
  /** Store through A until listed by B, ms. */
  samples: number[];
  /** Revocation through A until B refuses the token, ms. */
  revocations: number[];
  /** Storage calls (S3 requests) per refresh of B while nothing changed. */
  callsPerRefresh: number;
  listsOfB: Record<string, number>;
}

/** A token created through A and used on B, then revoked through A: ms until B refuses it. */
async function revocation(a: ServeStarted, b: ServeStarted): Promise<number> {
  const created = await httpJson(
    a.url,
    'POST',
    '/v1/tokens',
    { ...auth(a), 'content-type': 'application/json' },
    Buffer.from(JSON.stringify({ name: 'revoked', grants: [{ actions: ['read'] }] })),
  );
  const user = { authorization: `Bearer ${created.token}` };
  if ((await status(b.url, '/v1/stats', user)) !== 200) throw new Error('B refused a fresh token');
  await send(a.url, 'DELETE', `/v1/tokens/${created.info.id}`, auth(a));
  const started = now();
  while ((await status(b.url, '/v1/stats', user)) !== 401) await sleep(5);
  return now() - started;
}

/**
 * The same over an S3 lake of many entries, on each S3 server of the run: the bound must not grow
 * with the lake, since a refresh reads the change journal, not every record.
 */
async function s3PropagationRows(context: SuiteContext, notes: string[]): Promise<ResultRow[]> {
  const targets = s3TargetsFromEnv();
  if (targets.length === 0) {
    notes.push(
      'S3 propagation rows skipped: no S3 server (run through the root `pnpm bench`, or set S3_ENDPOINT)',
    );
    return [];
  }
  const entries = context.entries ?? (context.quick ? 1_000 : 10_000);
  const rows: ResultRow[] = [];
  for (const target of targets) {
    const client = rawClient(target);
    const bucket = target.bucket ?? `datalake-bench-serve-${randomBytes(4).toString('hex')}`;
    const prefix = `bench-serve-${randomBytes(4).toString('hex')}`;
    const s3 = {
      bucket,
      prefix,
      endpoint: target.endpoint,
      region: target.region,
      credentials: target.credentials,
    };
    if (!target.bucket) await createBucket(client, bucket);
    try {
      const started = now();
      // Built as fast as the server takes it: no change notes (no instance is open yet), no index.
      // Many requests in flight (the backend's default is 32): the build waits on S3 round trips.
      const lake = await DataLake.open(
        await S3Backend.connect({ ...s3, maxConcurrency: BUILD_CONCURRENCY }),
        {
          onNotice: () => {},
          search: 'scan',
          changeJournal: false,
        },
      );
      let built = 0;
      await forEachBounded(entries, BUILD_CONCURRENCY * 2, async (i) => {
        await lake.store({
          name: `s${i}.txt`,
          content: `seed ${i}`,
          dataType: DataType.LOGS,
          subpath: `seed/${i % 100}`,
        });
        if (++built % 10_000 === 0)
          context.log(
            `server: ${built} of ${entries} entries stored on ${target.name} (${((now() - started) / 1000).toFixed(0)} s)`,
          );
      });
      await lake.close();
      context.log(
        `server: ${entries} entries stored on ${target.name} in ${((now() - started) / 1000).toFixed(1)} s`,
      );
      const { samples, revocations, callsPerRefresh, listsOfB } = await propagation(context, {
        kind: 'lake',
        root: '',
        s3,
      });
      notes.push(
        `S3 (${target.name}), ${entries.toLocaleString('en-US')} entries: ${callsPerRefresh.toFixed(1)} S3 requests per refresh of server B while nothing changes (a full listing of the records would take ${Math.ceil(entries / 1000)}); list calls of B by prefix, from its open to its stop: ${JSON.stringify(listsOfB)} (".metadata/" only while opening)`,
      );
      rows.push(
        {
          operation: 'store via A listed by B (refresh 1 s)',
          backend: `S3 (${target.name}), 2 processes`,
          n: entries,
          result: { kind: 'latency', samples },
          target: latencyAtMost(2000),
        },
        {
          operation: 'revoke via A refused by B (refresh 1 s)',
          backend: `S3 (${target.name}), 2 processes`,
          n: entries,
          result: { kind: 'latency', samples: revocations },
          target: latencyAtMost(2000),
        },
      );
    } finally {
      await deletePrefix(client, bucket, `${prefix}/`).catch(() => undefined);
      if (!target.bucket) await deleteBucket(client, bucket).catch(() => undefined);
      client.destroy();
    }
  }
  return rows;
}

/**
 * Search over HTTP against in-process calls on the same corpus ×10 lake, alternated query by query
 * (both warm: the first round is not counted): the in-process ones run inside the server process,
 * on the lake it serves; then the server's peak RSS.
 */
async function searchRows(context: SuiteContext, notes: string[]): Promise<ResultRow[]> {
  const runs = context.quick ? 11 : 31;
  const root = path.join(context.workRoot, 'server-search-x10');
  const files = await corpusFiles(context.corpusDir as string);
  await buildSearchLake(root, files, 10, context.log);
  const child = await startChild({ kind: 'lake', root }, context);
  const local = await DataLake.open(new DiskBackend({ root, fsync: false }), { onNotice: () => {} });
  const rows: ResultRow[] = [];
  let rssKiB = 0;
  try {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const overHttp = new Map<string, number[]>(SELECTIVE_QUERIES.map((query) => [query, []]));
    const inProcess = new Map<string, number[]>(SELECTIVE_QUERIES.map((query) => [query, []]));
    const inBench = new Map<string, number[]>(SELECTIVE_QUERIES.map((query) => [query, []]));
    /** HTTP minus in-process of the same query in the same round: the pairs see the same load. */
    const added = new Map<string, number[]>(SELECTIVE_QUERIES.map((query) => [query, []]));
    /** A request that does no work (`GET /healthz`) on the same connection: what a round trip costs. */
    const roundTrips: number[] = [];
    const body = (query: string) => Buffer.from(JSON.stringify({ query, limit: 50 }));
    const headers = { ...auth(child.started), 'content-type': 'application/json' };
    const overHttpMs = async (query: string) => {
      const started = now();
      await httpJson(child.started.url, 'POST', '/v1/search', headers, body(query), agent);
      return now() - started;
    };
    for (let run = 0; run <= runs; run++) {
      for (const query of SELECTIVE_QUERIES) {
        // The baseline: the same search on the same lake object, timed inside the server process,
        // so the difference is what HTTP adds, not what two processes' caches and heaps differ by.
        // Which of the two goes first alternates by round, so neither always meets a warmer cache.
        let serverMs: number;
        let httpMs: number;
        if (run % 2 === 0) {
          serverMs = await child.searchInProcess(query, 50);
          httpMs = await overHttpMs(query);
        } else {
          httpMs = await overHttpMs(query);
          serverMs = await child.searchInProcess(query, 50);
        }
        let started = now();
        await status(child.started.url, '/healthz', {}, agent);
        const roundTripMs = now() - started;
        started = now();
        await local.search(query, { limit: 50 });
        const localMs = now() - started;
        if (run === 0) continue; // warm-up round
        inProcess.get(query)?.push(serverMs);
        overHttp.get(query)?.push(httpMs);
        added.get(query)?.push(httpMs - serverMs);
        inBench.get(query)?.push(localMs);
        roundTrips.push(roundTripMs);
      }
    }
    const medianMs = (samples: number[] | undefined) =>
      median({ kind: 'latency', samples: samples ?? [] }).toFixed(2);
    notes.push(
      `search over HTTP minus in-process, median of the ${runs} same-round pairs: ${SELECTIVE_QUERIES.map((query) => `${JSON.stringify(query)} +${medianMs(added.get(query))} ms`).join(', ')}; GET /healthz on the same connection (a round trip that does no work) ${medianMs(roundTrips)} ms median`,
      `search in-process medians in the bench process's own lake over the same folder (not the baseline): ${SELECTIVE_QUERIES.map((query) => `${JSON.stringify(query)} ${medianMs(inBench.get(query))} ms`).join(', ')}`,
    );
    // Browsing as a page would: list pages and reads, so the RSS figure covers more than search.
    let cursor: string | undefined;
    let listed = 0;
    do {
      const page = await httpJson(
        child.started.url,
        'GET',
        `/v1/entries?limit=1000${cursor ? `&cursor=${cursor}` : ''}`,
        auth(child.started),
        undefined,
        agent,
      );
      for (const entry of page.entries.slice(0, 20))
        await status(child.started.url, `/v1/entries/${entry.id}/content`, auth(child.started), agent);
      listed += page.entries.length;
      cursor = page.cursor;
    } while (cursor);
    agent.destroy();
    for (const query of SELECTIVE_QUERIES) {
      rows.push({
        operation: `search ${JSON.stringify(query)} (HTTP)`,
        backend: 'disk ×10',
        n: listed,
        result: { kind: 'latency', samples: overHttp.get(query) ?? [] },
        baseline: {
          label: 'in-process (server process)',
          measurement: { kind: 'latency', samples: inProcess.get(query) ?? [] },
        },
        target: addsAtMost(1),
      });
    }
  } finally {
    await local.close();
    rssKiB = (await child.stop()).maxRssKiB ?? 0;
    await rm(root, { recursive: true, force: true });
  }
  const mib = rssKiB / 1024;
  notes.push(
    `server peak RSS serving the corpus ×10 lake (open, these searches, every list page, 20 reads per page): ${mib.toFixed(0)} MiB; target < ${RSS_TARGET_MIB} MiB: ${mib < RSS_TARGET_MIB ? 'PASS' : 'MISS'}`,
    'search: the server refreshes every second meanwhile (default); a refresh reads the change journal (one list request when nothing changed), not the 14,490 records',
  );
  return rows;
}

async function listedBy(server: ServeStarted, filePath: string): Promise<boolean> {
  const page = await httpJson(server.url, 'GET', '/v1/entries?dataType=other', auth(server));
  return page.entries.some((entry: { filePath: string }) => entry.filePath === filePath);
}

function addsAtMost(ms: number): TargetSpec {
  return {
    label: `+ < ${ms} ms`,
    test: (result: Measurement, baseline: Measurement | undefined) =>
      baseline ? median(result) - median(baseline) < ms : undefined,
  };
}

// --- processes and requests ------------------------------------------------------------------

interface Child {
  started: ServeStarted;
  /** A search timed inside the server process, on the lake it serves: ms. */
  searchInProcess(query: string, limit: number): Promise<number>;
  /** The storage calls the server made and the refreshes it finished so far. */
  counters(): Promise<{ calls: number; refreshes: number; cpuMs: number }>;
  stop(): Promise<{ maxRssKiB?: number; lists?: Record<string, number> }>;
}

async function startChild(serveRequest: ServerServeRequest, context: SuiteContext): Promise<Child> {
  const script = fileURLToPath(new URL('./server-serve.ts', import.meta.url));
  const child: ChildProcess = spawn(
    process.execPath,
    [...process.execArgv, script, JSON.stringify(serveRequest)],
    {
      stdio: ['pipe', 'pipe', 'pipe'],
    },
  );
  child.stderr?.on('data', (chunk) => {
    for (const line of String(chunk).split('\n')) if (line.startsWith('notice: ')) context.log(`  ${line}`);
  });
  const lines: Interface = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const iterator = lines[Symbol.asyncIterator]();
  const first = await iterator.next();
  if (first.done) throw new Error('the server process exited before listening');
  return {
    started: JSON.parse(first.value) as ServeStarted,
    async searchInProcess(query: string, limit: number) {
      child.stdin?.write(`${JSON.stringify({ search: query, limit })}\n`);
      const line = await iterator.next();
      if (line.done) throw new Error('the server process exited');
      return (JSON.parse(line.value) as { searchMs: number }).searchMs;
    },
    async counters() {
      child.kill('SIGUSR2');
      const line = await iterator.next();
      if (line.done) throw new Error('the server process exited');
      return (JSON.parse(line.value) as { counters: { calls: number; refreshes: number; cpuMs: number } })
        .counters;
    },
    async stop() {
      child.kill('SIGTERM');
      for (;;) {
        const line = await iterator.next();
        if (line.done) return {};
        const parsed = JSON.parse(line.value) as { maxRssKiB?: number; lists?: Record<string, number> };
        if ('maxRssKiB' in parsed) return parsed;
      }
    },
  };
}

function auth(started: ServeStarted): Record<string, string> {
  return started.token ? { authorization: `Bearer ${started.token}` } : {};
}

async function cannon(options: {
  url: string;
  headers: Record<string, string>;
  duration: number;
}): Promise<number> {
  const result = await autocannon({ ...options, connections: CONNECTIONS, timeout: 60 });
  if (result.non2xx > 0 || result.errors > 0)
    throw new Error(`${options.url}: ${result.non2xx} non-2xx, ${result.errors} errors`);
  return result.requests.average;
}

function send(
  base: string,
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: Buffer,
  agent?: Agent,
): Promise<{ status: number; body: Buffer }> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const outgoing = request(
      { host: url.hostname, port: url.port, method, path, headers, ...(agent ? { agent } : {}) },
      (incoming) => {
        const chunks: Buffer[] = [];
        incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
        incoming.on('end', () => resolve({ status: incoming.statusCode ?? 0, body: Buffer.concat(chunks) }));
        incoming.on('error', reject);
      },
    );
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

async function httpJson(
  base: string,
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: Buffer,
  agent?: Agent,
  // biome-ignore lint/suspicious/noExplicitAny: answers of several shapes, read field by field
): Promise<any> {
  const answer = await send(base, method, path, headers, body, agent);
  if (answer.status >= 300)
    throw new Error(`${method} ${path}: HTTP ${answer.status} ${answer.body.toString('utf8').slice(0, 200)}`);
  return JSON.parse(answer.body.toString('utf8'));
}

async function status(
  base: string,
  path: string,
  headers: Record<string, string>,
  agent?: Agent,
): Promise<number> {
  return (await send(base, 'GET', path, headers, undefined, agent)).status;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
