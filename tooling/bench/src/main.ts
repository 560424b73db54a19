import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { locateCorpus } from './corpus.js';
import { type BenchFlags, parseFlags, type SuiteName, USAGE, UsageError } from './flags.js';
import { collectGarbage } from './measure.js';
import { formatReport } from './report.js';
import type { Suite, SuiteContext } from './suite.js';
import { compressionSuite } from './suites/compression.js';
import { coreSuite } from './suites/core.js';
import { historySuite } from './suites/history.js';
import { ingestSuite } from './suites/ingest.js';
import { liveSuite } from './suites/live.js';
import { messySuite } from './suites/messy.js';
import { s3Suite } from './suites/s3.js';
import { searchSuite } from './suites/search-runner.js';
import { serverSuite } from './suites/server.js';
import { transferSuite } from './suites/transfer.js';
import { webSuite } from './suites/web.js';

const SUITES: Record<SuiteName, Suite> = {
  core: coreSuite,
  s3: s3Suite,
  ingest: ingestSuite,
  search: searchSuite,
  messy: messySuite,
  server: serverSuite,
  transfer: transferSuite,
  web: webSuite,
  live: liveSuite,
  history: historySuite,
  compression: compressionSuite,
};

async function main(argv: readonly string[]): Promise<number> {
  let flags: BenchFlags;
  try {
    flags = parseFlags(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`bench: ${error.message}\n${USAGE}\n`);
    return 2;
  }
  if (flags.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }

  const workRoot = await mkdtemp(path.join(os.tmpdir(), 'datalake-bench-'));
  const removeWorkRoot = () => rm(workRoot, { recursive: true, force: true });
  process.once('SIGINT', () => {
    void removeWorkRoot().finally(() => process.exit(130));
  });
  const corpusDir = await locateCorpus();
  const context: SuiteContext = {
    sizes: flags.sizes,
    scales: flags.scales,
    quick: flags.quick,
    entries: flags.entries,
    rows: flags.rows,
    workRoot,
    corpusDir,
    lakeOptions: flags.scan ? { search: 'scan' } : {},
    log: (line) => process.stderr.write(`  [${new Date().toISOString().slice(11, 19)}] ${line}\n`),
    print: (line) => process.stdout.write(`${line}\n`),
  };
  printMachine(flags, corpusDir);

  let failures = 0;
  try {
    for (const name of flags.suites) {
      const suite = SUITES[name];
      process.stdout.write(`\n== ${suite.title} ==\n`);
      try {
        process.stdout.write(`${formatReport(await suite.run(context))}\n`);
      } catch (error) {
        failures++;
        process.stdout.write(`  * FAILED: ${describe(error)}\n`);
      }
      collectGarbage();
    }
  } finally {
    await removeWorkRoot();
  }
  process.stdout.write(
    '\nratio = median of the row / median of its baseline: for rates higher is faster, for latencies lower is faster.\n',
  );
  return failures > 0 ? 1 : 0;
}

function printMachine(flags: BenchFlags, corpusDir: string | undefined): void {
  const cpus = os.cpus();
  process.stdout.write(
    `${[
      `datalake bench  ${new Date().toISOString()}`,
      `node ${process.version} on ${os.platform()} ${os.arch()}, ${cpus.length} × ${cpus[0]?.model ?? 'cpu'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB RAM`,
      `suites: ${flags.suites.join(', ')}; sizes: ${flags.sizes.join(', ')}; scales: ${flags.scales.join(', ')}${flags.quick ? '; quick' : ''}${flags.scan ? "; lakes opened with search: 'scan'" : ''}`,
      `corpus: ${corpusDir ? 'found' : 'not found (synthetic artifacts; set DATALAKE_CORPUS)'}`,
    ].join('\n')}\n`,
  );
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? ` (cause: ${error.cause.message})` : '';
  return `${error.name}: ${error.message}${cause}`;
}

process.exitCode = await main(process.argv.slice(2));
