import { createHash } from 'node:crypto';
import { access, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { DiskBackend } from '@datalake/backend-disk';
import { DataLake, type Entry } from '@datalake/core';
import { ingestTree, SOURCE_PATH } from '@datalake/ingest';
import { type ManifestRow, readManifest, repoRoot } from '../corpus.js';
import { timeMs } from '../measure.js';
import { runProcess, tail } from '../processes.js';
import type { SuiteReport } from '../report.js';
import type { Suite } from '../suite.js';
import { latencyAtMost } from '../targets.js';

const CLI = path.join(repoRoot, 'apps', 'cli', 'dist', 'main.js');
/** Corpus files outside the manifest (licences, provenance, the manifest itself) are not artifacts. */
const NOT_ARTIFACTS = ['LICENSES', 'SOURCES.md', 'manifest.tsv'];

/**
 * Issue 4: the built CLI ingesting the corpus into a fresh disk lake, against `cp -r` of the same
 * tree; and the same ingest through the library (`ingestTree` of `@datalake/ingest`) in this process.
 */
export const ingestSuite: Suite = {
  name: 'ingest',
  title: 'ingest (issue 4): `datalake ingest` of the corpus on disk vs cp -r',
  async run(context) {
    if (!context.corpusDir) return skipped('no corpus (set DATALAKE_CORPUS)');
    if (!(await exists(CLI))) return skipped('the CLI is not built (apps/cli/dist/main.js)');
    const corpus = context.corpusDir;
    const manifest = await readManifest(corpus);
    const topFolders = [...new Set(manifest.map((row) => row.relativePath.split('/')[0] as string))].sort();
    const repeats = context.quick ? 2 : 3;
    const dir = path.join(context.workRoot, 'ingest');

    // cp -r does not fsync, so the target compares it with --no-fsync; the durable default is shown too.
    const modes = [
      { label: '--no-fsync', flags: ['--no-fsync'], target: latencyAtMost(1000) },
      { label: 'default (fsync each write)', flags: [] as string[], target: undefined },
    ];
    const ingestTimes = modes.map((): number[] => []);
    const libraryTimes: number[] = [];
    const copyTimes: number[] = [];
    let lakeDir = '';
    let libraryLakeDir = '';
    for (let run = 0; run < repeats; run++) {
      for (const [index, mode] of modes.entries()) {
        context.log(`ingest: run ${run + 1}/${repeats}, ${mode.label}`);
        lakeDir = path.join(dir, `lake-${run}-${index}`);
        const args = [
          CLI,
          'ingest',
          corpus,
          '--lake',
          lakeDir,
          '--no-progress',
          ...mode.flags,
          ...NOT_ARTIFACTS.flatMap((glob) => ['--exclude', glob]),
        ];
        let failure = '';
        ingestTimes[index]?.push(
          await timeMs(async () => {
            const result = await runProcess(process.execPath, args);
            if (result.code !== 0) failure = `exit ${result.code}: ${tail(result.stderr || result.stdout)}`;
          }),
        );
        if (failure) return skipped(`the CLI failed: ${failure}`);
      }
      context.log(`ingest: run ${run + 1}/${repeats}, ingestTree in process`);
      libraryLakeDir = path.join(dir, `library-${run}`);
      let libraryFailure = '';
      libraryTimes.push(
        await timeMs(async () => {
          const backend = new DiskBackend({ root: libraryLakeDir, fsync: false });
          const lake = await DataLake.open(backend, context.lakeOptions);
          try {
            const summary = await ingestTree(lake, { root: corpus, exclude: NOT_ARTIFACTS });
            const [first] = summary.failures;
            if (first) libraryFailure = `${summary.failed} failed, first ${first.path}: ${first.error}`;
          } finally {
            await lake.close();
          }
        }),
      );
      if (libraryFailure) return skipped(`ingestTree failed: ${libraryFailure}`);
      const copyDir = path.join(dir, `copy-${run}`);
      await mkdir(copyDir, { recursive: true });
      const sources = topFolders.map((folder) => path.join(corpus, folder));
      copyTimes.push(await timeMs(() => runProcess('cp', ['-r', ...sources, copyDir])));
    }
    const startup = await timeMs(() => runProcess(process.execPath, ['-e', '0']));

    context.log('ingest: checking the lake against manifest.tsv');
    const check = await checkLake(lakeDir, manifest);
    const exact = check.hashMatches === manifest.length && check.entries === manifest.length;
    const libraryCheck = await checkLake(libraryLakeDir, manifest);
    const libraryExact =
      libraryCheck.hashMatches === manifest.length && libraryCheck.entries === manifest.length;
    const copyBaseline = { label: 'cp -r', measurement: { kind: 'latency' as const, samples: copyTimes } };
    return {
      rows: [
        ...modes.map((mode, index) => ({
          operation: `ingest corpus (CLI process, wall), ${mode.label}`,
          backend: 'disk',
          n: manifest.length,
          result: { kind: 'latency' as const, samples: ingestTimes[index] ?? [] },
          baseline: copyBaseline,
          ...(mode.target ? { target: mode.target } : {}),
        })),
        {
          operation: 'ingest corpus (ingestTree in process, open to close), fsync off',
          backend: 'disk',
          n: manifest.length,
          result: { kind: 'latency' as const, samples: libraryTimes },
          baseline: copyBaseline,
        },
      ],
      notes: [
        `each run: fresh lake, \`datalake ingest <corpus> --lake <dir>\` excluding ${NOT_ARTIFACTS.join(', ')}; cp -r copies the folders ${topFolders.join(', ')}`,
        'nothing is deleted until the bench ends: on ext4, file creations right after a mass delete are slower (recently freed inodes are passed over)',
        `wall time includes starting node (an empty \`node -e 0\` takes ${startup.toFixed(0)} ms here)`,
        `byte-exact: ${exact ? 'PASS' : 'MISS'}: ${check.entries} entries for ${manifest.length} manifest files; ${check.hashMatches}/${manifest.length} read back with the manifest's sha256; ${check.missing} missing, ${check.extra} not in the manifest`,
        `classification agreement with the manifest: ${check.typeMatches}/${manifest.length} (${((100 * check.typeMatches) / manifest.length).toFixed(1)}%)`,
        `ingestTree lake byte-exact: ${libraryExact ? 'PASS' : 'MISS'}: ${libraryCheck.entries} entries, ${libraryCheck.hashMatches}/${manifest.length} with the manifest's sha256, ${libraryCheck.typeMatches}/${manifest.length} types agree`,
        ...check.problems.slice(0, 5).map((problem) => `  ${problem}`),
      ],
    } satisfies SuiteReport;
  },
};

interface LakeCheck {
  entries: number;
  hashMatches: number;
  typeMatches: number;
  missing: number;
  extra: number;
  problems: string[];
}

/** Compares every entry's bytes (hashed here, not trusted from the entry) with the manifest. */
async function checkLake(lakeDir: string, manifest: readonly ManifestRow[]): Promise<LakeCheck> {
  const lake = await DataLake.open(new DiskBackend({ root: lakeDir }), { search: 'scan' });
  try {
    const entries = await lake.list();
    const bySource = new Map<string, Entry>();
    for (const entry of entries) bySource.set(sourceOf(entry), entry);
    const check: LakeCheck = {
      entries: entries.length,
      hashMatches: 0,
      typeMatches: 0,
      missing: 0,
      extra: 0,
      problems: [],
    };
    const expected = new Set<string>();
    for (const row of manifest) {
      expected.add(row.relativePath);
      const entry = bySource.get(row.relativePath);
      if (!entry) {
        check.missing++;
        check.problems.push(`missing: ${row.relativePath}`);
        continue;
      }
      const sha256 = createHash('sha256')
        .update(await lake.readBytes(entry.id))
        .digest('hex');
      if (sha256 === row.sha256) check.hashMatches++;
      else check.problems.push(`bytes differ: ${row.relativePath}`);
      if (entry.dataType === row.dataType) check.typeMatches++;
      else
        check.problems.push(
          `classified ${entry.dataType}, manifest says ${row.dataType}: ${row.relativePath}`,
        );
    }
    check.extra = [...bySource.keys()].filter((source) => !expected.has(source)).length;
    return check;
  } finally {
    await lake.close();
  }
}

/** The corpus-relative path an entry was ingested from: its `sourcePath` metadata, else subpath/name. */
function sourceOf(entry: Entry): string {
  const recorded = entry.metadata[SOURCE_PATH];
  if (typeof recorded === 'string') return recorded;
  return entry.subpath ? `${entry.subpath}/${entry.name}` : entry.name;
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
