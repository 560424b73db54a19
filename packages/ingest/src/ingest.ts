import { isUtf8 } from 'node:buffer';
import { resolve } from 'node:path';
import {
  assertValidKey,
  DATA_TYPES,
  DataLake,
  type DataType,
  type Entry,
  type Lake,
  type Metadata,
  ValidationError,
} from '@datalake/core';
import pLimit from 'p-limit';
import { type Classification, classify } from './classify.js';
import { storeReconciling } from './concurrent-store.js';
import { contentCheck, folderOf } from './content-check.js';
import { type IngestOptions, type ResolvedOptions, resolveOptions } from './options.js';
import { type Artifact, readArtifact } from './read-artifact.js';
import { sourceKey } from './source-names.js';
import { type SkipReason, type WalkedFile, walkTree } from './walk.js';

export type { IngestOptions } from './options.js';
export type { SkipReason } from './walk.js';

/**
 * What happens to a file: `store` (new), `update` (new content for its entry), `move` (stored under
 * a new type or prefix, its old entry removed), `skip` (unchanged), `repair` (unchanged, but the
 * content object in the lake was missing or of the wrong size, so it was written again).
 */
export type IngestAction = 'store' | 'update' | 'move' | 'skip' | 'repair';

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

/** Something in the tree that is not a regular file (links are not followed), left out. */
export interface SkippedFileReport {
  path: string;
  reason: SkipReason;
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
  /** Of the skipped files, those another writer (a concurrent ingest) stored with the same bytes during this run. */
  storedConcurrently: number;
  /** Unchanged files whose content was missing from the lake (or had the wrong size), written again. */
  repaired: number;
  failed: number;
  pruned: number;
  /** Paths left out by .gitignore files, the `exclude` globs or the skipped folders. */
  ignored: number;
  byType: Record<DataType, number>;
  failures: IngestFailure[];
  /** Symbolic links and special files (FIFOs, sockets, devices) found in the tree and left out. */
  skippedFiles: SkippedFileReport[];
  skippedByReason: Record<SkipReason, number>;
  durationMs: number;
  /** Per-file outcomes; filled in dry runs only (a real run would repeat the lake's own listing). */
  outcomes?: FileOutcome[];
  /** Lake paths removed (or, in a dry run, to be removed) by `prune`. */
  prunedPaths?: string[];
}

/** Metadata keys written by ingest; `sourceRoot` + `sourcePath` identify the file an entry came from. */
export const SOURCE_ROOT = 'sourceRoot';
/** The path below the root, readable: exactly the file's name when it is UTF-8, else decoded as Windows-1252. */
export const SOURCE_PATH = 'sourcePath';
/** Base64 of the exact bytes of the path below the root; present only when they are not valid UTF-8. */
export const SOURCE_PATH_BYTES = 'sourcePathBytes';

const SKIP_REASONS: readonly SkipReason[] = [
  'symlink',
  'fifo',
  'socket',
  'block-device',
  'character-device',
  'unknown',
];

/**
 * Ingests the folder `options.root` into `lake`: walks it (see `walkTree`), classifies every file,
 * and stores it byte-exact at `<type>/<subpath>/<path>` with its metadata, idempotently (unchanged
 * files are skipped, changed ones updated, reclassified ones moved, content missing from the lake
 * written again). A file that cannot be read or stored is a failure in the summary, never a throw;
 * the call throws only for invalid options (`ValidationError`) or when the lake cannot be listed.
 */
export async function ingestTree(lake: Lake, ingestOptions: IngestOptions): Promise<IngestSummary> {
  const startedAt = performance.now();
  const options = resolveOptions(ingestOptions);
  const root = resolve(options.root);
  const ingestedAt = new Date().toISOString();
  const walk = await walkTree(root, { exclude: options.exclude, skipAbsolute: options.skipAbsolute });
  const summary = emptySummary(root, options.dryRun, walk.ignored);
  for (const problem of walk.problems) fail(summary, problem.relativePath, problem.error);
  for (const skipped of walk.skipped) {
    summary.skippedFiles.push({ path: skipped.relativePath, reason: skipped.reason });
    summary.skippedByReason[skipped.reason]++;
  }

  const known = await lake.list();
  const subpath = options.subpath?.normalize('NFC');
  const context: FileContext = {
    ...options,
    root,
    subpath,
    ingestedAt,
    // Through a server there is no storage to look at: the server's own lake keeps its content whole.
    contentIsPresent:
      lake instanceof DataLake
        ? contentCheck(lake.backend, known, filesPerFolder(walk.files, subpath))
        : async () => true,
    byFilePath: new Map(known.map((entry) => [entry.filePath, entry])),
    bySource: indexBySource(known, root),
    matched: new Set(),
  };

  options.progress.start(
    walk.files.length,
    walk.files.reduce((total, file) => total + file.size, 0),
  );
  const results: FileResult[] = [];
  const limit = pLimit(options.concurrency);
  try {
    await Promise.all(
      walk.files.map((file) =>
        limit(async () => {
          try {
            results.push(await ingestFile(lake, file, context));
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

  await removeStale(lake, summary, results, context.matched);
  if (options.dryRun) summary.outcomes = [];
  for (const result of results) {
    record(summary, result);
    summary.outcomes?.push(result.outcome);
  }

  if (options.prune) {
    const present = new Set(walk.files.map((file) => sourceKey(file.rawPath)));
    // What could not be listed may still exist: never prune below a folder the walk could not read.
    const unreadable = walk.problems.map((problem) => sourceKey(problem.rawPath));
    const isGone = (source: string, entry: Entry) =>
      !present.has(source) &&
      !context.matched.has(entry.id) &&
      !unreadable.some((folder) => folder === '' || source === folder || source.startsWith(`${folder}/`));
    await prune(lake, summary, context.bySource, isGone);
  }
  summary.failures.sort((a, b) => (a.path < b.path ? -1 : 1));
  summary.skippedFiles.sort((a, b) => (a.path < b.path ? -1 : 1));
  summary.outcomes?.sort((a, b) => (a.path < b.path ? -1 : 1));
  summary.durationMs = Math.round(performance.now() - startedAt);
  return summary;
}

interface FileContext extends ResolvedOptions {
  root: string;
  ingestedAt: string;
  contentIsPresent: (entry: Entry) => Promise<boolean>;
  byFilePath: Map<string, Entry>;
  /** Entries of earlier ingests of this root, by the `sourceKey` of their source path. */
  bySource: Map<string, Entry[]>;
  /** Ids of the entries that files of this run map to: never removed as stale or pruned. */
  matched: Set<string>;
}

interface FileResult {
  outcome: FileOutcome;
  /** Entries of the same source file at another lake path (its old type or prefix). */
  stale: Entry[];
  /** Another writer stored the same bytes at the file's path during this run. */
  concurrent: boolean;
}

async function ingestFile(lake: Lake, file: WalkedFile, context: FileContext): Promise<FileResult> {
  if (file.size > context.maxSize) {
    throw new ValidationError(`larger than --max-size (${file.size} > ${context.maxSize} bytes)`);
  }
  const lakePath = context.subpath ? `${context.subpath}/${file.lakePath}` : file.lakePath;
  assertLakePath(lakePath); // before reading: a name the lake refuses is refused whatever the content
  const artifact = await readArtifact(file.absolutePath, file.size);
  const slash = lakePath.lastIndexOf('/');
  const name = lakePath.slice(slash + 1);
  const subpath = slash === -1 ? '' : lakePath.slice(0, slash);
  const verdict = classify(name, artifact.text, artifact.encoding === 'binary');
  const filePath = `${verdict.dataType}/${lakePath}`;
  assertLakePath(filePath);
  const source = sourceKey(file.rawPath);
  const current = context.byFilePath.get(filePath);
  if (current) context.matched.add(current.id);
  // The same file stored under another type (its classification changed) or another prefix.
  const stale = (context.bySource.get(source) ?? []).filter((entry) => entry.filePath !== filePath);

  let action: IngestAction;
  if (current && current.sha256 === artifact.sha256)
    action = (await context.contentIsPresent(current)) ? 'skip' : 'repair';
  else if (current) action = 'update';
  else action = stale.length > 0 ? 'move' : 'store';

  let concurrent = false;
  if (!context.dryRun) {
    const metadata = describe(artifact, verdict, file, context);
    const update = (entry: Entry) =>
      lake.update(entry.id, { content: artifact.content(), metadata: replacing(entry, metadata) });
    if (action === 'repair' && current) await lake.update(current.id, { content: artifact.content() });
    if (action === 'update' && current) await update(current);
    if (action === 'store' || action === 'move') {
      const stored = await storeReconciling(
        lake,
        () => ({ name, subpath, dataType: verdict.dataType, content: artifact.content(), metadata }),
        filePath,
        {
          sha256: artifact.sha256,
          isSameSource: (entry) =>
            entry.metadata[SOURCE_ROOT] === context.root && entrySourceKey(entry) === source,
          update,
        },
      );
      if (stored.action === 'concurrent') {
        action = 'skip';
        concurrent = true;
      } else if (stored.action === 'update') action = 'update';
    }
  }
  return {
    outcome: {
      path: file.relativePath,
      action,
      dataType: verdict.dataType,
      language: verdict.language,
      encoding: artifact.encoding,
      lineCount: artifact.lineCount,
      size: artifact.size,
      filePath,
    },
    stale,
    concurrent,
  };
}

/** Throws `ValidationError` (with the lake's reason) when the lake cannot hold `path`. */
function assertLakePath(path: string): void {
  try {
    assertValidKey(path);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const at = message.lastIndexOf(': it ');
    const problem = at === -1 ? message : message.slice(at + 2);
    throw new ValidationError(`the lake refuses the path ${JSON.stringify(path)}: ${problem}`, {
      cause: error,
      details: { path },
    });
  }
}

/** How many files of the run land in each lake folder below the type folders ('' for the top). */
function filesPerFolder(files: readonly WalkedFile[], subpath: string | undefined): Map<string, number> {
  const counts = new Map<string, number>();
  for (const file of files) {
    const folder = folderOf(subpath ? `${subpath}/${file.lakePath}` : file.lakePath);
    counts.set(folder, (counts.get(folder) ?? 0) + 1);
  }
  return counts;
}

function describe(
  artifact: Artifact,
  verdict: Classification,
  file: WalkedFile,
  context: FileContext,
): Metadata {
  return {
    [SOURCE_PATH]: file.relativePath,
    ...(isUtf8(file.rawPath) ? {} : { [SOURCE_PATH_BYTES]: file.rawPath.toString('base64') }),
    [SOURCE_ROOT]: context.root,
    encoding: artifact.encoding,
    language: verdict.language,
    lineCount: artifact.lineCount,
    classifiedBy: verdict.decidedBy,
    sourceModifiedAt: file.modifiedAt.toISOString(),
    ingestedAt: context.ingestedAt,
  };
}

/** `metadata` as a patch of `entry`'s: an update merges, so a raw path the new source lacks is cleared. */
function replacing(entry: Entry, metadata: Metadata): Metadata {
  return SOURCE_PATH_BYTES in entry.metadata && !(SOURCE_PATH_BYTES in metadata)
    ? { ...metadata, [SOURCE_PATH_BYTES]: null }
    : metadata;
}

/** The `sourceKey` of the path an entry was ingested from (its exact bytes), if it was ingested. */
function entrySourceKey(entry: Entry): string | undefined {
  const bytes = entry.metadata[SOURCE_PATH_BYTES];
  if (typeof bytes === 'string') return sourceKey(Buffer.from(bytes, 'base64'));
  const path = entry.metadata[SOURCE_PATH];
  return typeof path === 'string' ? sourceKey(Buffer.from(path, 'utf8')) : undefined;
}

/** Entries that earlier ingests of this same root made, by the `sourceKey` of their source path. */
function indexBySource(entries: Entry[], root: string): Map<string, Entry[]> {
  const bySource = new Map<string, Entry[]>();
  for (const entry of entries) {
    if (entry.metadata[SOURCE_ROOT] !== root) continue;
    const source = entrySourceKey(entry);
    if (source === undefined) continue;
    const list = bySource.get(source);
    if (list) list.push(entry);
    else bySource.set(source, [entry]);
  }
  return bySource;
}

/**
 * Removes the entries that moved files left at their old lake paths. Done once every file's path is
 * known: an entry that another file now maps to (say, after a new sibling changed which name keeps
 * its plain spelling) is that file's, and stays.
 */
async function removeStale(
  lake: Lake,
  summary: IngestSummary,
  results: FileResult[],
  matched: Set<string>,
): Promise<void> {
  for (const result of results) {
    const leftovers = result.stale.filter((entry) => !matched.has(entry.id));
    if (leftovers.length === 0 && result.outcome.action === 'move') result.outcome.action = 'store';
    if (summary.dryRun) continue;
    for (const entry of leftovers) {
      try {
        await lake.delete(entry.id);
      } catch (error) {
        fail(summary, result.outcome.path, error);
      }
    }
  }
}

async function prune(
  lake: Lake,
  summary: IngestSummary,
  bySource: Map<string, Entry[]>,
  isGone: (source: string, entry: Entry) => boolean,
) {
  summary.prunedPaths = [];
  for (const [source, entries] of bySource) {
    for (const entry of entries) {
      if (!isGone(source, entry)) continue;
      try {
        if (!summary.dryRun) await lake.delete(entry.id);
        summary.pruned++;
        summary.prunedPaths.push(entry.filePath);
      } catch (error) {
        fail(summary, String(entry.metadata[SOURCE_PATH]), error);
      }
    }
  }
  summary.prunedPaths.sort();
}

function emptySummary(root: string, dryRun: boolean, ignored: number): IngestSummary {
  const byType = Object.fromEntries(DATA_TYPES.map((type) => [type, 0])) as Record<DataType, number>;
  const skippedByReason = Object.fromEntries(SKIP_REASONS.map((reason) => [reason, 0])) as Record<
    SkipReason,
    number
  >;
  return {
    root,
    dryRun,
    files: 0,
    bytes: 0,
    stored: 0,
    updated: 0,
    moved: 0,
    skipped: 0,
    storedConcurrently: 0,
    repaired: 0,
    failed: 0,
    pruned: 0,
    ignored,
    byType,
    failures: [],
    skippedFiles: [],
    skippedByReason,
    durationMs: 0,
  };
}

function record(summary: IngestSummary, { outcome, concurrent }: FileResult): void {
  summary.files++;
  summary.bytes += outcome.size;
  summary.byType[outcome.dataType]++;
  if (outcome.action === 'store') summary.stored++;
  else if (outcome.action === 'update') summary.updated++;
  else if (outcome.action === 'move') summary.moved++;
  else if (outcome.action === 'repair') summary.repaired++;
  else summary.skipped++;
  if (concurrent) summary.storedConcurrently++;
}

function fail(summary: IngestSummary, path: string, error: unknown): void {
  summary.failed++;
  summary.failures.push({ path, error: reason(error) });
}

function reason(error: unknown): string {
  const code = (error as { code?: unknown })?.code;
  const message = error instanceof Error ? error.message : String(error);
  // Node's file-system errors already start with their code ("ENOENT: no such file ...").
  return typeof code === 'string' && /^E[A-Z]+$/.test(code) && !message.startsWith(`${code}:`)
    ? `${code}: ${message}`
    : message;
}
