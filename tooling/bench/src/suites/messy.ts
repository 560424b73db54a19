import { spawn } from 'node:child_process';
import { randomFillSync } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { access, mkdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { repoRoot } from '../corpus.js';
import { now } from '../measure.js';
import type { ResultRow, SuiteReport } from '../report.js';
import type { Suite } from '../suite.js';
import { latencyAtMost, memoryAtMost } from '../targets.js';

const CLI = path.join(repoRoot, 'apps', 'cli', 'dist', 'main.js');
/** Loaded into each measured CLI process: prints its own peak RSS (VmHWM) as it exits. */
const PEAK_RSS_HOOK = fileURLToPath(new URL('../peak-rss-hook.mjs', import.meta.url));
const GIB = 1024 ** 3;
const MIB = 1024 ** 2;
const CHUNK = 4 * MIB;
/** The bound for the ingesting process, whatever the input. */
const RSS_TARGET_MIB = 512;

/**
 * Issue 10 ("memory stays bounded whatever the input"): the built CLI ingests a folder holding one
 * high-entropy file and one log file of 1 GiB each (with `--max-size` raised) in a process of its
 * own, whose peak RSS must stay under 512 MiB; then `stats` and `search` must answer at once, without
 * indexing anything again. The files are generated in the bench's folder and deleted afterwards.
 */
export const messySuite: Suite = {
  name: 'messy',
  title: 'messy input (issue 10): `datalake ingest` of 1 GiB random + 1 GiB log, peak RSS',
  async run(context) {
    if (!(await exists(CLI))) return skipped('the CLI is not built (apps/cli/dist/main.js)');
    const size = context.quick ? GIB / 4 : GIB;
    const dir = path.join(context.workRoot, 'messy');
    const input = path.join(dir, 'input');
    const lake = path.join(dir, 'lake');
    await mkdir(input, { recursive: true });
    try {
      context.log(`messy: writing ${size / MIB} MiB of random bytes and ${size / MIB} MiB of log lines`);
      await writeChunks(path.join(input, 'random.bin'), size, randomChunk);
      await writeChunks(path.join(input, 'app.log'), size, logChunk());
      const maxSize = `${(2 * size) / MIB}MiB`;
      context.log('messy: ingest');
      const ingest = await runCli([
        'ingest',
        input,
        '--lake',
        lake,
        '--max-size',
        maxSize,
        '--no-fsync',
        '--no-progress',
      ]);
      if (ingest.code !== 0)
        return skipped(`the ingest failed (exit ${ingest.code}): ${ingest.stderr.slice(-400)}`);
      context.log('messy: stats and searches afterwards');
      const stats = await runCli(['--lake', lake, 'stats']);
      const byName = await runCli(['--lake', lake, 'search', 'random']);
      const byRegex = await runCli(['--lake', lake, 'search', '--regex', 'status=5\\d\\d took=99\\dms']);
      const after = [
        { label: '`stats` afterwards', run: stats },
        { label: '`search random` afterwards', run: byName },
        { label: '`search --regex …` afterwards', run: byRegex },
      ];
      const rows: ResultRow[] = [
        {
          operation: `ingest ${size / MIB} MiB random + ${size / MIB} MiB log: peak RSS (CLI process)`,
          backend: 'disk',
          n: 2,
          result: { kind: 'memory', samples: [ingest.peakRssKiB / 1024] },
          target: memoryAtMost(RSS_TARGET_MIB),
        },
        {
          operation: 'ingest: wall time',
          backend: 'disk',
          n: 2,
          result: { kind: 'latency', samples: [ingest.wallMs] },
        },
        ...after.map(({ label, run }) => ({
          operation: `${label} (process, wall)`,
          backend: 'disk',
          n: 2,
          result: { kind: 'latency' as const, samples: [run.wallMs] },
          target: latencyAtMost(2000),
        })),
      ];
      const reindexed = after.filter(({ run }) => /index|indexing/i.test(noticesOf(run.stderr)));
      return {
        rows,
        notes: [
          `peak RSS afterwards: ${after.map(({ label, run }) => `${label} ${(run.peakRssKiB / 1024).toFixed(0)} MiB`).join(', ')}`,
          reindexed.length === 0
            ? 'no command after the ingest indexed anything again (no index notice)'
            : `MISS: index work after the ingest: ${reindexed.map(({ run }) => noticesOf(run.stderr)).join(' | ')}`,
          `ingest said: ${ingest.stdout.trim().split('\n').join(' / ')}`,
        ],
      };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  },
};

interface MeasuredRun {
  code: number | null;
  stdout: string;
  stderr: string;
  wallMs: number;
  /** The process's own VmHWM, as its exit hook reported it (or as last polled, if it died). */
  peakRssKiB: number;
}

/** Runs the CLI in a process of its own, measuring its wall time and peak RSS. */
function runCli(args: readonly string[]): Promise<MeasuredRun> {
  return new Promise((resolve, reject) => {
    const started = now();
    const child = spawn(process.execPath, ['--import', PEAK_RSS_HOOK, CLI, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let polled = 0;
    // A fallback for a process killed before its exit hook runs (VmHWM only grows, so polling catches most).
    const poll = setInterval(() => {
      readFile(`/proc/${child.pid}/status`, 'utf8')
        .then((status) => {
          polled = Math.max(polled, vmHwmKiB(status));
        })
        .catch(() => undefined);
    }, 100);
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    child.on('error', (error) => {
      clearInterval(poll);
      reject(error);
    });
    child.on('close', (code) => {
      clearInterval(poll);
      const reported = /^peak-rss-kib (\d+)$/m.exec(stderr);
      resolve({
        code,
        stdout,
        stderr: stderr.replace(/^peak-rss-kib \d+\n?/m, ''),
        wallMs: now() - started,
        peakRssKiB: Math.max(polled, reported ? Number(reported[1]) : 0),
      });
    });
  });
}

function vmHwmKiB(status: string): number {
  const match = /^VmHWM:\s+(\d+) kB$/m.exec(status);
  return match ? Number(match[1]) : 0;
}

function noticesOf(stderr: string): string {
  return stderr
    .split('\n')
    .filter((line) => line.startsWith('notice'))
    .join(' | ');
}

/** Writes `size` bytes made by `fill` (a chunk at a time, never the whole file in memory). */
async function writeChunks(file: string, size: number, fill: (chunk: Buffer) => Buffer): Promise<void> {
  const out = createWriteStream(file);
  const chunk = Buffer.alloc(CHUNK);
  for (let written = 0; written < size; written += CHUNK) {
    const piece = fill(chunk).subarray(0, Math.min(CHUNK, size - written));
    if (!out.write(Buffer.from(piece)))
      await new Promise<void>((resolve) => out.once('drain', () => resolve()));
  }
  await new Promise<void>((resolve, reject) =>
    out.end((error?: Error | null) => (error ? reject(error) : resolve())),
  );
}

function randomChunk(chunk: Buffer): Buffer {
  return randomFillSync(chunk);
}

/** Log lines as a service writes them: timestamps, levels, ids, paths, statuses, timings. */
function logChunk(): (chunk: Buffer) => Buffer {
  const levels = ['INFO', 'INFO', 'INFO', 'WARN', 'DEBUG', 'ERROR'];
  const paths = ['/api/v1/items', '/api/v1/orders', '/login', '/static/app.js', '/api/v2/report'];
  let line = 0;
  return (chunk) => {
    let at = 0;
    for (;;) {
      const i = line;
      const time = new Date(Date.UTC(2024, 2, 1) + i * 137).toISOString();
      const text =
        `${time} ${levels[i % levels.length]} [worker-${i % 16}] request id=${String(i).padStart(9, '0')} ` +
        `path=${paths[(i * 7) % paths.length]} status=${200 + ((i * 13) % 4) * 100} took=${(i * 31) % 1000}ms\n`;
      if (at + text.length > chunk.length) {
        chunk.fill(0x0a, at);
        return chunk;
      }
      at += chunk.write(text, at, 'latin1');
      line++;
    }
  };
}

async function exists(file: string): Promise<boolean> {
  try {
    await access(file);
    return true;
  } catch {
    return false;
  }
}

function skipped(reason: string): SuiteReport {
  return { rows: [], notes: [`skipped: ${reason}`] };
}
