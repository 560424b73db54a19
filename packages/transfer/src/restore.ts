import {
  collectBody,
  DataLakeError,
  type Entry,
  type EntryVersion,
  type Lake,
  type LakeHistoryTransfer,
  NotFoundError,
  type RetentionExport,
} from '@datalake/core';
import { compareEntries, type Differing } from './compare.js';
import { ArchiveError } from './errors.js';
import { historyOf, keptShas } from './history-lake.js';
import { needsContent, placeEntry } from './place.js';
import { Pool } from './pool.js';
import type { TransferProgress } from './progress.js';
import { type ArchiveSummary, scanArchive } from './scan.js';
import { isPrefixOf, versionsOf } from './versions.js';

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
  /** Whether entries were restored with their ids, timestamps and versions (a lake that takes history). */
  history: boolean;
  /** Entries in the backup. */
  entries: number;
  /** Entries stored because the lake had none at their path. */
  created: string[];
  /** Entries the lake held at an earlier version of the same history, brought forward to the backup's. */
  advanced: string[];
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
  /** Deleted entries of the backup restored with their history (they can be undeleted). */
  deletedEntries: number;
  /** Contents of earlier versions written for the history (the lake keeps them apart). */
  keptContents: number;
  /** Entries that could not be written (a concurrent writer took the path, ...); running the restore again retries them. */
  failed: { filePath: string; code: string; reason: string }[];
  /** Content bytes written into the lake. */
  bytes: number;
}

const SMALL_BYTES = 8 * 1024 * 1024;

interface Action {
  wanted: Entry;
  present?: Entry;
  /** With history: the versions to import (else the entry is placed through the `Lake` API). */
  versions?: EntryVersion[];
}

interface ContentSource {
  path: string;
  member: number;
}

/**
 * Restores a backup into `lake`. The archive (and its bases) are first read and checked in full,
 * writing nothing: a broken or hostile archive is refused (`ArchiveError`) with the lake untouched.
 * Then each entry the lake lacks is stored, each differing one replaced (with `overwrite`), and
 * with `prune` each entry the backup does not have is deleted. Into a lake that takes history (a
 * `DataLake`), entries keep their ids, timestamps and every version, deleted entries and the
 * retention settings come along; each is committed after every content its versions name. Every
 * entry appears whole or not at all; a restore stopped halfway and run again skips what it finished.
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
  const transfer = historyOf(lake);
  const sourceOf = contentSources(summary, archive, bases, transfer !== undefined);

  await lake.refresh();
  const [held, deletedHere] = await Promise.all([lake.list(), transfer?.deletedIds()]);
  const comparison = compareEntries(summary.entries.values(), held);
  /** Ids the lake has no entry of, live or deleted: imported without reading their record first. */
  const heldIds = new Set(held.map((entry) => entry.id));
  const absent = (id: string) => !heldIds.has(id) && deletedHere !== undefined && !deletedHere.has(id);
  const report: RestoreReport = {
    dryRun: options.dryRun === true,
    backupId: summary.header.backupId,
    backupCreatedAt: summary.header.createdAt,
    history: transfer !== undefined,
    entries: summary.entries.size,
    created: comparison.missing.map((entry) => entry.filePath),
    advanced: [],
    replaced: [],
    unchanged: comparison.same.length,
    kept: [],
    pruned: options.prune ? comparison.extra.map((entry) => entry.filePath) : [],
    extra: options.prune ? 0 : comparison.extra.length,
    deletedEntries: 0,
    keptContents: 0,
    failed: [],
    bytes: 0,
  };
  const actions: Action[] = comparison.missing.map((wanted) => ({
    wanted,
    ...(transfer ? { versions: versionsOf(summary, wanted) } : {}),
  }));
  for (const item of comparison.differing) {
    const versions = transfer ? versionsOf(summary, item.wanted) : undefined;
    if (transfer && versions && (await continues(transfer, item, versions))) {
      report.advanced.push(item.wanted.filePath);
      actions.push({ wanted: item.wanted, present: item.present, versions });
    } else if (options.overwrite) {
      report.replaced.push(item.wanted.filePath);
      // Another entry at the path goes; the backup's comes with its history. The same entry with
      // another history gets the backup's state as a new version.
      const other = item.present.id !== item.wanted.id;
      actions.push({
        wanted: item.wanted,
        present: item.present,
        ...(versions && other ? { versions } : {}),
      });
    } else report.kept.push(item.wanted.filePath);
  }
  const deletedActions = transfer ? await deletedToImport(transfer, summary, report) : [];
  const isDeleted = new Set(deletedActions);
  if (options.dryRun) return report;

  const progress = new Progress(
    actions.length + deletedActions.length + report.pruned.length,
    options.onProgress,
  );
  const failed = (action: Action, error: unknown) => {
    if (!(error instanceof DataLakeError) || error instanceof ArchiveError) throw error;
    report.failed.push({ filePath: action.wanted.filePath, code: error.code, reason: error.message });
    progress.step(0);
  };
  const pool = new Pool(options.concurrency ?? 8);
  if (transfer) {
    const needed = new Set<string>();
    for (const action of [...actions, ...deletedActions]) {
      if (!action.versions) continue;
      const deleted = isDeleted.has(action);
      for (const sha256 of keptShas(action.versions, deleted ? undefined : action.wanted.sha256))
        needed.add(sha256);
    }
    await keepContents(transfer, needed, sourceOf, scanOptions, pool, report);
  }

  const contentless: Action[] = [...deletedActions];
  /** Actions that need content, by the archive (path) and member that hold it. */
  const byMember = new Map<string, Map<number, Action[]>>();
  for (const action of actions) {
    if (!needsContent(action.present, action.wanted, action.versions !== undefined)) {
      contentless.push(action);
      continue;
    }
    const source = sourceOf.get(action.wanted.sha256) as ContentSource;
    const members = byMember.get(source.path) ?? new Map<number, Action[]>();
    byMember.set(source.path, members);
    const list = members.get(source.member);
    if (list) list.push(action);
    else members.set(source.member, [action]);
  }

  const write = (action: Action, content: Uint8Array | AsyncIterable<Uint8Array> | undefined) =>
    place(lake, transfer, action, isDeleted.has(action), content, absent(action.wanted.id));
  for (const action of contentless) {
    await pool.run(async () => {
      try {
        await write(action, undefined);
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
            await pool.run(() => placeAll(lake, waiting, bytes, write, progress, failed, report));
          } else {
            await pool.drain();
            await placeAll(lake, waiting, body, write, progress, failed, report);
          }
        };
      },
    });
    await pool.drain();
  }
  await pool.drain();
  if (transfer && summary.header.history) {
    const { rules, holds } = summary.header.retention;
    if (rules.length > 0 || holds.length > 0)
      await transfer.importRetention({ rules, holds } as unknown as RetentionExport);
  }
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

/** Whether the lake's entry is the backup's at an earlier point of the same history. */
async function continues(
  transfer: LakeHistoryTransfer,
  item: Differing,
  versions: EntryVersion[],
): Promise<boolean> {
  if (item.present.id !== item.wanted.id) return false;
  try {
    const present = await transfer.entryWithHistory(item.present.id);
    return isPrefixOf(present.versions, versions);
  } catch (error) {
    if (error instanceof NotFoundError) return false;
    throw error;
  }
}

/** The backup's deleted entries that the lake does not hold as they are. */
async function deletedToImport(
  transfer: LakeHistoryTransfer,
  summary: ArchiveSummary,
  report: RestoreReport,
): Promise<Action[]> {
  const out: Action[] = [];
  for (const { entry, versions } of summary.deleted.values()) {
    try {
      const present = await transfer.entryWithHistory(entry.id);
      if (
        present.deleted &&
        present.versions.length === versions.length &&
        isPrefixOf(present.versions, versions)
      )
        continue;
    } catch (error) {
      if (!(error instanceof NotFoundError)) throw error;
    }
    report.deletedEntries++;
    out.push({ wanted: entry, versions });
  }
  return out;
}

/** Writes the contents of earlier versions the lake does not keep yet, straight from the archives. */
async function keepContents(
  transfer: LakeHistoryTransfer,
  needed: ReadonlySet<string>,
  sourceOf: ReadonlyMap<string, ContentSource>,
  scanOptions: { maxManifestBytes?: number },
  pool: Pool,
  report: RestoreReport,
): Promise<void> {
  const byPath = new Map<string, Map<number, string>>();
  for (const sha256 of needed) {
    if (await transfer.hasContent(sha256)) continue;
    const source = sourceOf.get(sha256) as ContentSource;
    const members = byPath.get(source.path) ?? new Map<number, string>();
    byPath.set(source.path, members);
    members.set(source.member, sha256);
  }
  for (const [path, members] of byPath) {
    await scanArchive(path, {
      ...scanOptions,
      contentReader: ({ index, size }) => {
        const sha256 = members.get(index);
        if (sha256 === undefined) return undefined;
        return async (body) => {
          const kept = async (content: Uint8Array | AsyncIterable<Uint8Array>) => {
            if (await transfer.importContent(sha256, content)) report.keptContents++;
          };
          if (size <= SMALL_BYTES) {
            const bytes = await collectBody(body);
            await pool.run(() => kept(bytes));
          } else {
            await pool.drain();
            await kept(body);
          }
        };
      },
    });
    await pool.drain();
  }
}

/** One action: an import with its history, or a write through the `Lake` API. */
async function place(
  lake: Lake,
  transfer: LakeHistoryTransfer | undefined,
  action: Action,
  deleted: boolean,
  content: Uint8Array | AsyncIterable<Uint8Array> | undefined,
  absent: boolean,
): Promise<Entry> {
  const { wanted, present, versions } = action;
  if (!transfer || !versions) return placeEntry(lake, wanted, present, content);
  if (present && present.id !== wanted.id) await lake.delete(present.id);
  await transfer.importEntry(
    { entry: wanted, versions, deleted, ...(content === undefined ? {} : { content }) },
    { absent },
  );
  return wanted;
}

/** Stores every action of one content: the first from `content`, the others from what the first stored. */
async function placeAll(
  lake: Lake,
  actions: readonly Action[],
  content: Uint8Array | AsyncIterable<Uint8Array>,
  write: (action: Action, content: Uint8Array | AsyncIterable<Uint8Array>) => Promise<Entry>,
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
      const placed = await write(action, body);
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

/**
 * Where the bytes of each content the backup needs are: this archive or one of its bases. With
 * `history`, the contents of every version count, not only the current ones.
 */
function contentSources(
  summary: ArchiveSummary,
  archive: string,
  bases: readonly { path: string; summary: ArchiveSummary }[],
  history: boolean,
): Map<string, ContentSource> {
  const sources = new Map<string, ContentSource>();
  const find = (sha256: string, filePath: string) => {
    if (sources.has(sha256)) return;
    const own = summary.contents.get(sha256);
    if (own?.member !== undefined) {
      sources.set(sha256, { path: archive, member: own.member });
      return;
    }
    const base = bases.find((candidate) => candidate.summary.contents.get(sha256)?.member !== undefined);
    if (!base) {
      const since = summary.header.since;
      throw new ArchiveError(
        'missing-content',
        `the content of ${filePath} is in none of the archives given${since ? ` (this backup was made --since backup ${since.backupId} of ${since.createdAt}: give it, and its own bases, as bases)` : ''}`,
        { filePath, sha256 },
      );
    }
    sources.set(sha256, { path: base.path, member: base.summary.contents.get(sha256)?.member as number });
  };
  for (const entry of summary.entries.values()) find(entry.sha256, entry.filePath);
  if (history) {
    for (const [id, versions] of summary.versions) {
      const filePath = summary.entries.get(id)?.filePath ?? id;
      for (const version of versions) find(version.sha256, filePath);
    }
    for (const { entry, versions } of summary.deleted.values())
      for (const version of versions) find(version.sha256, entry.filePath);
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
