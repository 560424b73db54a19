import { resolve } from 'node:path';
import {
  DATA_TYPES,
  type DataLake,
  type DataType,
  type Entry,
  type Metadata,
  ValidationError,
} from '@datalake/core';
import pLimit from 'p-limit';
import { type Classification, classify } from './classify.js';
import type { ProgressReporter } from './progress.js';
import { type Artifact, readArtifact } from './read-artifact.js';
import { type WalkedFile, walkTree } from './walk.js';

export interface IngestOptions {
  root: string;
  exclude?: readonly string[];
  /** Folder prefix in the lake for the whole tree (below each type folder). */
  subpath?: string;
  /** Files larger than this are reported as failures. */
  maxSize: number;
  concurrency: number;
  dryRun: boolean;
  prune: boolean;
  /** Folders never to walk (the lake itself, when it lives inside the tree). */
  skipAbsolute?: readonly string[];
  progress: ProgressReporter;
}

export type IngestAction = 'store' | 'update' | 'move' | 'skip';

/** What happened to one file (or, in a dry run, what would happen). */
export interface FileOutcome {
  path: string;
  action: IngestAction;
  dataType: DataType;
  language: string;
  encoding: string;
  lineCount: number;
  size: number;
  filePath: string;
}

export interface IngestFailure {
  path: string;
  error: string;
}

export interface IngestSummary {
  root: string;
  dryRun: boolean;
  files: number;
  bytes: number;
  stored: number;
  updated: number;
  /** Stored under a new type because the classification changed (the old entry was removed). */
  moved: number;
  skipped: number;
  failed: number;
  pruned: number;
  /** Paths left out by .gitignore, --exclude or the skipped folders. */
  ignored: number;
  byType: Record<DataType, number>;
  failures: IngestFailure[];
  durationMs: number;
  /** Per-file outcomes; filled in dry runs only (a real run would repeat the lake's own listing). */
  outcomes?: FileOutcome[];
  /** Lake paths removed (or, in a dry run, to be removed) by --prune. */
  prunedPaths?: string[];
}

/** Metadata keys written by ingest; `sourceRoot` + `sourcePath` identify the file an entry came from. */
export const SOURCE_ROOT = 'sourceRoot';
export const SOURCE_PATH = 'sourcePath';

export async function ingestTree(lake: DataLake, options: IngestOptions): Promise<IngestSummary> {
  const startedAt = performance.now();
  const root = resolve(options.root);
  const ingestedAt = new Date().toISOString();
  const walk = await walkTree(root, { exclude: options.exclude, skipAbsolute: options.skipAbsolute });
  const summary = emptySummary(root, options.dryRun, walk.ignored);
  for (const problem of walk.problems) fail(summary, problem.relativePath, problem.error);

  const known = await lake.list();
  const byFilePath = new Map(known.map((entry) => [entry.filePath, entry]));
  const bySource = indexBySource(known, root);
  if (options.dryRun) summary.outcomes = [];

  options.progress.start(
    walk.files.length,
    walk.files.reduce((total, file) => total + file.size, 0),
  );
  const limit = pLimit(options.concurrency);
  try {
    await Promise.all(
      walk.files.map((file) =>
        limit(async () => {
          try {
            const outcome = await ingestFile(lake, file, {
              ...options,
              root,
              ingestedAt,
              byFilePath,
              bySource,
            });
            record(summary, outcome);
            summary.outcomes?.push(outcome);
          } catch (error) {
            fail(summary, file.relativePath, error);
          } finally {
            options.progress.advance(file.size);
          }
        }),
      ),
    );
  } finally {
    options.progress.stop();
  }

  if (options.prune) {
    const present = new Set(walk.files.map((file) => file.relativePath.normalize('NFC')));
    // What could not be listed may still exist: never prune below a folder the walk could not read.
    const unreadable = walk.problems.map((problem) =>
      problem.relativePath === '.' ? '' : problem.relativePath,
    );
    const isGone = (sourcePath: string) =>
      !present.has(sourcePath) &&
      !unreadable.some(
        (folder) => folder === '' || sourcePath === folder || sourcePath.startsWith(`${folder}/`),
      );
    await prune(lake, summary, bySource, isGone);
  }
  summary.failures.sort((a, b) => (a.path < b.path ? -1 : 1));
  summary.outcomes?.sort((a, b) => (a.path < b.path ? -1 : 1));
  summary.durationMs = Math.round(performance.now() - startedAt);
  return summary;
}

interface FileContext extends IngestOptions {
  root: string;
  ingestedAt: string;
  byFilePath: Map<string, Entry>;
  bySource: Map<string, Entry[]>;
}

async function ingestFile(lake: DataLake, file: WalkedFile, context: FileContext): Promise<FileOutcome> {
  if (file.size > context.maxSize) {
    throw new ValidationError(`larger than --max-size (${file.size} > ${context.maxSize} bytes)`);
  }
  const artifact = await readArtifact(file.absolutePath, file.size);
  const sourcePath = file.relativePath.normalize('NFC');
  const slash = sourcePath.lastIndexOf('/');
  const name = sourcePath.slice(slash + 1);
  const subpath = [context.subpath, slash === -1 ? '' : sourcePath.slice(0, slash)].filter(Boolean).join('/');
  const verdict = classify(name, artifact.text, artifact.encoding === 'binary');
  const filePath = [verdict.dataType, subpath, name].filter(Boolean).join('/');
  const current = context.byFilePath.get(filePath);
  // The same file stored under another type (its classification changed) or another prefix.
  const stale = (context.bySource.get(sourcePath) ?? []).filter((entry) => entry.filePath !== filePath);

  let action: IngestAction;
  if (current && current.sha256 === artifact.sha256) action = 'skip';
  else if (current) action = 'update';
  else action = stale.length > 0 ? 'move' : 'store';

  if (!context.dryRun) {
    const metadata = describe(artifact, verdict, sourcePath, file, context);
    if (action === 'update' && current)
      await lake.update(current.id, { content: artifact.content(), metadata });
    if (action === 'store' || action === 'move') {
      await lake.store({ name, subpath, dataType: verdict.dataType, content: artifact.content(), metadata });
    }
    for (const entry of stale) await lake.delete(entry.id);
  }
  return {
    path: sourcePath,
    action,
    dataType: verdict.dataType,
    language: verdict.language,
    encoding: artifact.encoding,
    lineCount: artifact.lineCount,
    size: artifact.size,
    filePath,
  };
}

function describe(
  artifact: Artifact,
  verdict: Classification,
  sourcePath: string,
  file: WalkedFile,
  context: FileContext,
): Metadata {
  return {
    [SOURCE_PATH]: sourcePath,
    [SOURCE_ROOT]: context.root,
    encoding: artifact.encoding,
    language: verdict.language,
    lineCount: artifact.lineCount,
    classifiedBy: verdict.decidedBy,
    sourceModifiedAt: file.modifiedAt.toISOString(),
    ingestedAt: context.ingestedAt,
  };
}

/** Entries that earlier ingests of this same root made, by their source path. */
function indexBySource(entries: Entry[], root: string): Map<string, Entry[]> {
  const bySource = new Map<string, Entry[]>();
  for (const entry of entries) {
    const sourcePath = entry.metadata[SOURCE_PATH];
    if (entry.metadata[SOURCE_ROOT] !== root || typeof sourcePath !== 'string') continue;
    const list = bySource.get(sourcePath);
    if (list) list.push(entry);
    else bySource.set(sourcePath, [entry]);
  }
  return bySource;
}

async function prune(
  lake: DataLake,
  summary: IngestSummary,
  bySource: Map<string, Entry[]>,
  isGone: (sourcePath: string) => boolean,
) {
  summary.prunedPaths = [];
  for (const [sourcePath, entries] of bySource) {
    if (!isGone(sourcePath)) continue;
    for (const entry of entries) {
      try {
        if (!summary.dryRun) await lake.delete(entry.id);
        summary.pruned++;
        summary.prunedPaths.push(entry.filePath);
      } catch (error) {
        fail(summary, sourcePath, error);
      }
    }
  }
  summary.prunedPaths.sort();
}

function emptySummary(root: string, dryRun: boolean, ignored: number): IngestSummary {
  const byType = Object.fromEntries(DATA_TYPES.map((type) => [type, 0])) as Record<DataType, number>;
  return {
    root,
    dryRun,
    files: 0,
    bytes: 0,
    stored: 0,
    updated: 0,
    moved: 0,
    skipped: 0,
    failed: 0,
    pruned: 0,
    ignored,
    byType,
    failures: [],
    durationMs: 0,
  };
}

function record(summary: IngestSummary, outcome: FileOutcome): void {
  summary.files++;
  summary.bytes += outcome.size;
  summary.byType[outcome.dataType]++;
  if (outcome.action === 'store') summary.stored++;
  else if (outcome.action === 'update') summary.updated++;
  else if (outcome.action === 'move') summary.moved++;
  else summary.skipped++;
}

function fail(summary: IngestSummary, path: string, error: unknown): void {
  summary.failed++;
  summary.failures.push({ path, error: reason(error) });
}

function reason(error: unknown): string {
  const code = (error as { code?: unknown })?.code;
  const message = error instanceof Error ? error.message : String(error);
  return typeof code === 'string' && /^E[A-Z]+$/.test(code) ? `${code}: ${message}` : message;
}
