import { collectBody, DataLakeError, type Entry, type Lake } from '@datalake/core';
import { compareEntries, type Differing } from './compare.js';
import { ArchiveError } from './errors.js';
import { needsContent, placeEntry } from './place.js';
import { Pool } from './pool.js';
import type { TransferProgress } from './progress.js';
import { type ArchiveSummary, scanArchive } from './scan.js';

export interface RestoreOptions {
  /**
   * The earlier backups an incremental backup (made `--since`) needs, in any order: the contents it
   * left out are read from them. Each is checked in full before anything is written.
   */
  bases?: readonly string[];
  /** Only say what would be done. Default false. */
  dryRun?: boolean;
  /** Delete the lake's entries that are not in the backup. Default false: nothing is ever deleted. */
  prune?: boolean;
  /**
   * Replace entries whose content or metadata differ from the backup's. Default false: they are
   * kept as they are and reported in `kept`.
   */
  overwrite?: boolean;
  /** Entries written at once. Default 8. */
  concurrency?: number;
  /** Largest manifest accepted, in bytes (see `ScanOptions`). */
  maxManifestBytes?: number;
  onProgress?: (progress: TransferProgress) => void;
}

/** What a restore did (or, with `dryRun`, would do), by entry path. */
export interface RestoreReport {
  dryRun: boolean;
  backupId: string;
  backupCreatedAt: string;
  /** Entries in the backup. */
  entries: number;
  /** Entries stored because the lake had none at their path. */
  created: string[];
  /** Entries replaced by the backup's version (`overwrite`). */
  replaced: string[];
  /** Entries the lake already held as the backup has them (a resumed restore skips them). */
  unchanged: number;
  /** Entries the lake holds with other content or metadata, left as they are (no `overwrite`). */
  kept: string[];
  /** Entries of the lake not in the backup, deleted (`prune`). */
  pruned: string[];
  /** Entries of the lake not in the backup, left alone (no `prune`). */
  extra: number;
  /** Entries that could not be written (a concurrent writer took the path, ...); running the restore again retries them. */
  failed: { filePath: string; code: string; reason: string }[];
  /** Content bytes written into the lake. */
  bytes: number;
}

const SMALL_BYTES = 8 * 1024 * 1024;

interface Action {
  wanted: Entry;
  present?: Entry;
}

/**
 * Restores a backup into `lake`. The archive (and its bases) are first read and checked in full,
 * writing nothing: a broken or hostile archive is refused (`ArchiveError`) with the lake untouched.
 * Then each entry the lake lacks is stored, each differing one replaced (with `overwrite`), and
 * with `prune` each entry the backup does not have is deleted. Every entry appears whole or not at
 * all; a restore stopped halfway and run again skips what it finished.
 */
export async function restoreBackup(
  archive: string,
  lake: Lake,
  options: RestoreOptions = {},
): Promise<RestoreReport> {
  const scanOptions = options.maxManifestBytes ? { maxManifestBytes: options.maxManifestBytes } : {};
  const summary = await scanArchive(archive, scanOptions);
  const bases: { path: string; summary: ArchiveSummary }[] = [];
  for (const path of options.bases ?? []) bases.push({ path, summary: await scanArchive(path, scanOptions) });
  const sourceOf = contentSources(summary, archive, bases);

  await lake.refresh();
  const comparison = compareEntries(summary.entries.values(), await lake.list());
  const replacing: Differing[] = options.overwrite ? comparison.differing : [];
  const report: RestoreReport = {
    dryRun: options.dryRun === true,
    backupId: summary.header.backupId,
    backupCreatedAt: summary.header.createdAt,
    entries: summary.entries.size,
    created: comparison.missing.map((entry) => entry.filePath),
    replaced: replacing.map((item) => item.wanted.filePath),
    unchanged: comparison.same.length,
    kept: options.overwrite ? [] : comparison.differing.map((item) => item.wanted.filePath),
    pruned: options.prune ? comparison.extra.map((entry) => entry.filePath) : [],
    extra: options.prune ? 0 : comparison.extra.length,
    failed: [],
    bytes: 0,
  };
  if (options.dryRun) return report;

  const actions: Action[] = [
    ...comparison.missing.map((wanted) => ({ wanted })),
    ...replacing.map((item) => ({ wanted: item.wanted, present: item.present })),
  ];
  const progress = new Progress(actions.length + report.pruned.length, options.onProgress);
  const failed = (action: Action, error: unknown) => {
    if (!(error instanceof DataLakeError) || error instanceof ArchiveError) throw error;
    report.failed.push({ filePath: action.wanted.filePath, code: error.code, reason: error.message });
    progress.step(0);
  };
  const pool = new Pool(options.concurrency ?? 8);
  const metadataOnly: Action[] = [];
  /** Actions that need content, by the archive (path) and member that hold it. */
  const byMember = new Map<string, Map<number, Action[]>>();
  for (const action of actions) {
    if (!needsContent(action.present, action.wanted)) {
      metadataOnly.push(action);
      continue;
    }
    const source = sourceOf.get(action.wanted.sha256) as { path: string; member: number };
    const members = byMember.get(source.path) ?? new Map<number, Action[]>();
    byMember.set(source.path, members);
    const list = members.get(source.member);
    if (list) list.push(action);
    else members.set(source.member, [action]);
  }

  for (const action of metadataOnly) {
    await pool.run(async () => {
      try {
        await placeEntry(lake, action.wanted, action.present, undefined);
        progress.step(0);
      } catch (error) {
        failed(action, error);
      }
    });
  }
  for (const [path, members] of byMember) {
    await scanArchive(path, {
      ...scanOptions,
      contentReader: ({ index, size }) => {
        const waiting = members.get(index);
        if (!waiting) return undefined;
        return async (body) => {
          if (size <= SMALL_BYTES) {
            const bytes = await collectBody(body);
            await pool.run(() => placeAll(lake, waiting, bytes, progress, failed, report));
          } else {
            await pool.drain();
            await placeAll(lake, waiting, body, progress, failed, report);
          }
        };
      },
    });
    await pool.drain();
  }
  await pool.drain();
  if (options.prune) {
    for (const entry of comparison.extra) {
      await pool.run(async () => {
        try {
          await lake.delete(entry.id);
          progress.step(0);
        } catch (error) {
          failed({ wanted: entry }, error);
        }
      });
    }
    await pool.drain();
  }
  return report;
}

/** Stores every action of one content: the first from `content`, the others from what the first stored. */
async function placeAll(
  lake: Lake,
  actions: readonly Action[],
  content: Uint8Array | AsyncIterable<Uint8Array>,
  progress: Progress,
  failed: (action: Action, error: unknown) => void,
  report: RestoreReport,
): Promise<void> {
  let stored: Entry | undefined;
  for (const action of actions) {
    try {
      let body: Uint8Array | AsyncIterable<Uint8Array> = content;
      if (!(content instanceof Uint8Array) && stored) body = (await lake.readStream(stored.id)).stream;
      else if (!(content instanceof Uint8Array) && action !== actions[0]) {
        throw new ArchiveError(
          'missing-content',
          `the content of ${action.wanted.filePath} could not be restored`,
        );
      }
      const placed = await placeEntry(lake, action.wanted, action.present, body);
      stored ??= placed;
      report.bytes += action.wanted.size;
      progress.step(action.wanted.size);
    } catch (error) {
      if (error instanceof ArchiveError && error.problem === 'missing-content') {
        report.failed.push({ filePath: action.wanted.filePath, code: error.code, reason: error.message });
        continue;
      }
      failed(action, error);
    }
  }
}

/** Where the bytes of each content the backup needs are: this archive or one of its bases. */
function contentSources(
  summary: ArchiveSummary,
  archive: string,
  bases: readonly { path: string; summary: ArchiveSummary }[],
): Map<string, { path: string; member: number }> {
  const sources = new Map<string, { path: string; member: number }>();
  for (const entry of summary.entries.values()) {
    if (sources.has(entry.sha256)) continue;
    const own = summary.contents.get(entry.sha256);
    if (own?.member !== undefined) {
      sources.set(entry.sha256, { path: archive, member: own.member });
      continue;
    }
    const base = bases.find(
      (candidate) => candidate.summary.contents.get(entry.sha256)?.member !== undefined,
    );
    if (!base) {
      const since = summary.header.since;
      throw new ArchiveError(
        'missing-content',
        `the content of ${entry.filePath} is in none of the archives given${since ? ` (this backup was made --since backup ${since.backupId} of ${since.createdAt}: give it, and its own bases, as bases)` : ''}`,
        { filePath: entry.filePath, sha256: entry.sha256 },
      );
    }
    sources.set(entry.sha256, {
      path: base.path,
      member: base.summary.contents.get(entry.sha256)?.member as number,
    });
  }
  return sources;
}

class Progress {
  private done = 0;
  private bytes = 0;

  constructor(
    private readonly total: number,
    private readonly report?: (progress: TransferProgress) => void,
  ) {
    this.emit();
  }

  step(bytes: number): void {
    this.done++;
    this.bytes += bytes;
    this.emit();
  }

  private emit(): void {
    this.report?.({ phase: 'restore', done: this.done, total: this.total, bytes: this.bytes, totalBytes: 0 });
  }
}
