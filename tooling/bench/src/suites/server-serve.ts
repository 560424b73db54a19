/**
 * A server in a process of its own for the server suite: either `datalake serve`'s server over a
 * disk lake, or a bare Fastify route answering a fixed body from memory (the baseline). Run as
 * `node --import tsx server-serve.ts <request JSON>`. Prints one JSON line when it listens
 * (`ServeStarted`), on SIGUSR2 one with its storage calls and refreshes so far, and on SIGTERM
 * one more with its peak RSS and its storage list calls by prefix, then exits. A line
 * `{"search": query}` on stdin is answered with `{"searchMs": ms}`: the search timed in this process.
 */
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { DiskBackend } from '@datalake/backend-disk';
import { S3Backend } from '@datalake/backend-s3';
import { DataLake, type StorageBackend } from '@datalake/core';
import { createServer, TokenStore } from '@datalake/server';
import Fastify from 'fastify';

export type ServerServeRequest =
  | { kind: 'bare'; bodyBytes: number }
  | {
      kind: 'lake';
      /** A disk lake's folder (fsync off), unless `s3` names an S3 lake. */
      root: string;
      s3?: {
        bucket: string;
        prefix: string;
        endpoint: string;
        region: string;
        credentials: { accessKeyId: string; secretAccessKey: string };
      };
      /** Timed in this process before it listens: the in-process medians to compare HTTP with. */
      queries?: string[];
      runs?: number;
      limit?: number;
      refreshIntervalMs?: number;
    };

export interface ServeStarted {
  url: string;
  token?: string;
}

async function start(
  request: ServerServeRequest,
): Promise<{ started: ServeStarted; stop: () => Promise<void> }> {
  if (request.kind === 'bare') {
    const body = Buffer.alloc(request.bodyBytes, 0x61);
    const app = Fastify({ logger: false });
    app.get('/blob', async (_request, reply) =>
      reply.header('content-type', 'application/octet-stream').send(body),
    );
    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    return { started: { url: `http://127.0.0.1:${port}` }, stop: () => app.close() };
  }
  const backend: StorageBackend = request.s3
    ? await S3Backend.connect(request.s3)
    : new DiskBackend({ root: request.root, fsync: false });
  // List calls by prefix, printed at the end: what staying current cost this server.
  const list = backend.list.bind(backend);
  backend.list = (prefix, options) => {
    lists[prefix] = (lists[prefix] ?? 0) + 1;
    return list(prefix, options);
  };
  countCalls(backend);
  const lake = await DataLake.open(backend, {
    onNotice: (message) => process.stderr.write(`notice: ${message}\n`),
  });
  const refresh = lake.refresh.bind(lake);
  lake.refresh = async (options) => {
    await refresh(options);
    counters.refreshes++;
  };
  inProcessLake = lake;
  const { token } = await new TokenStore(backend).create({ name: 'bench', grants: [{ actions: ['admin'] }] });
  const server = await createServer({ lake, refreshIntervalMs: request.refreshIntervalMs ?? 1000 });
  const url = await server.listen({ port: 0 });
  return {
    started: { url, token },
    async stop() {
      await server.close();
      await lake.close();
    },
  };
}

const lists: Record<string, number> = {};
/** The lake the server serves, for searches timed in this process (the baseline of the HTTP ones). */
let inProcessLake: DataLake | undefined;
/** Storage calls (each one S3 request for the small objects a refresh reads) and finished refreshes. */
const counters = { calls: 0, refreshes: 0 };

function countCalls(backend: StorageBackend): void {
  for (const method of ['get', 'head', 'put', 'delete', 'list'] as const) {
    const original = (backend[method] as (...args: unknown[]) => unknown).bind(backend);
    (backend as unknown as Record<string, unknown>)[method] = (...args: unknown[]) => {
      counters.calls++;
      return original(...args);
    };
  }
}

function peakRssKiB(): number {
  try {
    const match = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'));
    if (match) return Number(match[1]);
  } catch {
    // Not Linux.
  }
  return process.resourceUsage().maxRSS;
}

const { started, stop } = await start(JSON.parse(process.argv[2] ?? '{}') as ServerServeRequest);
process.stdout.write(`${JSON.stringify(started)}\n`);
// SIGUSR2: one line with the counters so far (the bench takes differences over an idle while).
process.on('SIGUSR2', () => {
  const cpu = process.cpuUsage();
  process.stdout.write(
    `${JSON.stringify({ counters: { ...counters, cpuMs: (cpu.user + cpu.system) / 1000 } })}\n`,
  );
});
// A line `{"search": query, "limit": n}` on stdin: the search is timed here, in process, on the
// served lake, and answered with one line `{"searchMs": ms}`.
createInterface({ input: process.stdin }).on('line', (line) => {
  const { search, limit } = JSON.parse(line) as { search: string; limit?: number };
  const lake = inProcessLake;
  if (!lake) return;
  const started = performance.now();
  void lake.search(search, { limit: limit ?? 50 }).then(() => {
    process.stdout.write(`${JSON.stringify({ searchMs: performance.now() - started })}\n`);
  });
});
process.once('SIGTERM', () => {
  void stop().then(() => {
    process.stdout.write(`${JSON.stringify({ maxRssKiB: peakRssKiB(), lists })}\n`, () => process.exit(0));
  });
});
