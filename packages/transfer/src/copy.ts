import { createHash } from 'node:crypto';
import {
  ConflictError,
  CorruptDataError,
  collectBody,
  DataLakeError,
  type Entry,
  type Lake,
  NotFoundError,
} from '@datalake/core';
import { compareEntries } from './compare.js';
import { copyWithHistory } from './copy-history.js';
import { historyOf } from './history-lake.js';
import { needsContent, placeEntry } from './place.js';
import { Pool } from './pool.js';
import type { TransferProgress } from './progress.js';
import { pruneExtra } from './prune.js';

export interface CopyOptions {
  /** Delete the target's entries that the source does not have. Default false. */
  prune?: boolean;
  /** Read every copied entry back from the target and compare its SHA-256 with the source's. Default false. */
  verify?: boolean;
  /** Only say what would be copied. Default false. */
  dryRun?: boolean;
  /** Entries copied at once (each streams its content; none is held whole). Default 8. */
  concurrency?: number;
  onProgress?: (progress: TransferProgress) => void;
}

export interface CopyReport {
  dryRun: boolean;
  /** Entries of the source. */
  entries: number;
  /** Entries stored into the target (it had none at their path). */
  created: number;
  /** Entries of the target updated to the source's content and/or metadata. */
  updated: number;
  /** Entries the target already held as they are: a second copy copies nothing. */
  unchanged: number;
  /** Entries deleted from the target (`prune`). */
  pruned: number;
  /** Target entries the source does not have, left alone (no `prune`). */
  extra: number;
  /** Entries read back and found equal (`verify`). */
  verified: number;
  /** Entries deleted from the source while the copy ran (not copied). */
  vanished: number;
  /** Content bytes written into the target. */
  bytes: number;
  /** Whether entries were copied with their ids, timestamps and versions (both lakes take history). */
  history: boolean;
  /** Deleted entries copied with their history. */
  deletedEntries: number;
  failed: { filePath: string; code: string; reason: string }[];
}

/** Contents up to this size are read whole before they are written (at most `concurrency` of them at once). */
const WHOLE_BYTES = 8 * 1024 * 1024;
/** Attempts at one entry whose source changes while it is read. */
const ATTEMPTS = 3;

/**
 * Copies every entry of `source` into `target`, whatever their backends: entries the target lacks
 * are stored, differing ones updated, equal ones (same path, content and metadata) skipped, so a
 * second run copies only what changed. Contents stream from one to the other, `concurrency` at a time.
 * Each entry is copied at one version: one that changes while it is read is read again.
 */
export async function copyLake(source: Lake, target: Lake, options: CopyOptions = {}): Promise<CopyReport> {
  const from = historyOf(source);
  const to = historyOf(target);
  if (from && to) return copyWithHistory(source, from, target, to, options);
  await Promise.all([source.refresh(), target.refresh()]);
  const [wanted, present] = await Promise.all([source.list(), target.list()]);
  const comparison = compareEntries(wanted, present);
  const report: CopyReport = {
    dryRun: options.dryRun === true,
    entries: wanted.length,
    created: options.dryRun ? comparison.missing.length : 0,
    updated: options.dryRun ? comparison.differing.length : 0,
    unchanged: comparison.same.length,
    pruned: options.prune && options.dryRun ? comparison.extra.length : 0,
    extra: options.prune ? 0 : comparison.extra.length,
    verified: 0,
    vanished: 0,
    bytes: 0,
    history: false,
    deletedEntries: 0,
    failed: [],
  };
  if (options.dryRun) return report;

  const work = [
    ...comparison.missing.map((entry) => ({ wanted: entry, present: undefined as Entry | undefined })),
    ...comparison.differing.map((item) => ({ wanted: item.wanted, present: item.present })),
  ];
  const total = work.length + (options.prune ? comparison.extra.length : 0);
  const totalBytes = work.reduce((sum, item) => sum + item.wanted.size, 0);
  let done = 0;
  let bytes = 0;
  const step = (size: number) => {
    done++;
    bytes += size;
    options.onProgress?.({ phase: 'copy', done, total, bytes, totalBytes });
  };
  options.onProgress?.({ phase: 'copy', done: 0, total, bytes: 0, totalBytes });
  const fail = (filePath: string, error: unknown) => {
    if (!(error instanceof DataLakeError)) throw error;
    report.failed.push({ filePath, code: error.code, reason: error.message });
  };
  const pool = new Pool(options.concurrency ?? 8);
  for (const item of work) {
    await pool.run(async () => {
      try {
        const copied = await copyEntry(source, target, item.wanted, item.present, options.verify === true);
        if (copied === 'vanished') report.vanished++;
        else {
          if (item.present) report.updated++;
          else report.created++;
          report.bytes += copied.bytes;
          if (copied.verified) report.verified++;
        }
      } catch (error) {
        fail(item.wanted.filePath, error);
      }
      step(item.wanted.size);
    });
  }
  await pool.drain();
  if (options.prune) await pruneExtra(pool, target, comparison.extra, report, fail, step);
  return report;
}

async function copyEntry(
  source: Lake,
  target: Lake,
  listed: Entry,
  present: Entry | undefined,
  verify: boolean,
): Promise<'vanished' | { bytes: number; verified: boolean }> {
  for (let attempt = 1; ; attempt++) {
    try {
      let wanted = listed;
      let placed: Entry;
      let bytes = 0;
      if (needsContent(present, listed)) {
        const opened = await source.readStream(listed.id);
        wanted = opened.entry;
        // Small contents go as one buffer: the lake then claims the path and writes the content at once.
        const content = wanted.size <= WHOLE_BYTES ? await collectBody(opened.stream) : opened.stream;
        placed = await placeEntry(target, wanted, present, content);
        bytes = wanted.size;
      } else {
        placed = await placeEntry(target, wanted, present, undefined);
      }
      if (placed.sha256 !== wanted.sha256 || placed.size !== wanted.size) {
        throw new CorruptDataError(`the copy of ${wanted.filePath} does not have the source's SHA-256`, {
          details: { filePath: wanted.filePath },
        });
      }
      if (verify) await verifyCopy(target, placed, wanted);
      return { bytes, verified: verify };
    } catch (error) {
      if (error instanceof NotFoundError && (await vanished(source, listed.id))) return 'vanished';
      // Changed while it was read (the target write was undone with it): read it again.
      if (!(error instanceof ConflictError) || attempt >= ATTEMPTS) throw error;
      await source.refresh();
    }
  }
}

async function vanished(source: Lake, id: string): Promise<boolean> {
  try {
    await source.getEntry(id);
    return false;
  } catch (error) {
    if (error instanceof NotFoundError) return true;
    throw error;
  }
}

/** Reads the copy back from the target and hashes it. */
export async function verifyCopy(target: Lake, placed: Entry, wanted: Entry): Promise<void> {
  const { stream } = await target.readStream(placed.id);
  const hash = createHash('sha256');
  for await (const chunk of stream) hash.update(chunk);
  if (hash.digest('hex') !== wanted.sha256) {
    throw new CorruptDataError(
      `reading back ${wanted.filePath} from the target gave other bytes than the source's`,
      {
        details: { filePath: wanted.filePath },
      },
    );
  }
}
