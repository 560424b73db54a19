import {
  collectBody,
  DataLakeError,
  type EntryWithHistory,
  type Lake,
  type LakeHistoryTransfer,
  NotFoundError,
  sameJson,
} from '@datalake/core';
import { type CopyOptions, type CopyReport, verifyCopy } from './copy.js';
import { keptShas } from './history-lake.js';
import { Pool } from './pool.js';
import { pruneExtra } from './prune.js';

/** Contents up to this size are read whole before they are written. */
const WHOLE_BYTES = 8 * 1024 * 1024;

/**
 * `copyLake` between two lakes that both take history: every entry with its id, timestamps and
 * versions, every deleted entry, the retention rules and holds. An entry the target holds at the
 * same state is skipped without reading its history; one it holds at an earlier state of the same
 * history is brought forward. A target entry of another id at a path the source uses is replaced.
 */
export async function copyWithHistory(
  source: Lake,
  from: LakeHistoryTransfer,
  target: Lake,
  to: LakeHistoryTransfer,
  options: CopyOptions,
): Promise<CopyReport> {
  await Promise.all([source.refresh(), target.refresh()]);
  const [wanted, present, deletedThere] = await Promise.all([source.list(), target.list(), to.deletedIds()]);
  const byId = new Map(present.map((entry) => [entry.id, entry]));
  const byPath = new Map(present.map((entry) => [entry.filePath, entry]));
  const wantedPaths = new Set(wanted.map((entry) => entry.filePath));
  const extra = present.filter((entry) => !wantedPaths.has(entry.filePath));
  const report: CopyReport = {
    dryRun: options.dryRun === true,
    entries: wanted.length,
    created: 0,
    updated: 0,
    unchanged: 0,
    pruned: 0,
    extra: options.prune ? 0 : extra.length,
    verified: 0,
    vanished: 0,
    bytes: 0,
    history: true,
    deletedEntries: 0,
    failed: [],
  };
  const work = wanted.filter((entry) => {
    const same = byId.get(entry.id);
    const unchanged =
      same !== undefined &&
      same.sha256 === entry.sha256 &&
      same.updatedAt === entry.updatedAt &&
      sameJson(same.metadata, entry.metadata);
    if (unchanged) report.unchanged++;
    return !unchanged;
  });
  if (options.dryRun) {
    for (const entry of work) {
      if (byId.has(entry.id) || byPath.has(entry.filePath)) report.updated++;
      else report.created++;
    }
    if (options.prune) report.pruned = extra.length;
    return report;
  }
  const total = work.length + (options.prune ? extra.length : 0);
  let done = 0;
  let bytes = 0;
  const step = (size: number) => {
    done++;
    bytes += size;
    options.onProgress?.({ phase: 'copy', done, total, bytes, totalBytes: 0 });
  };
  const fail = (filePath: string, error: unknown) => {
    if (!(error instanceof DataLakeError)) throw error;
    report.failed.push({ filePath, code: error.code, reason: error.message });
  };
  const pool = new Pool(options.concurrency ?? 8);
  const keepFrom = async (item: EntryWithHistory) => {
    for (const sha256 of keptShas(item.versions, item.deleted ? undefined : item.entry.sha256)) {
      if (await to.hasContent(sha256)) continue;
      await to.importContent(sha256, await from.readContent(sha256));
    }
  };
  for (const listed of work) {
    await pool.run(async () => {
      try {
        let item = await from.entryWithHistory(listed.id);
        let content: Uint8Array | AsyncIterable<Uint8Array> | undefined;
        const mine = byId.get(item.entry.id);
        // An entry that changes while it is read is read again at its later version.
        for (let attempt = 1; !item.deleted && mine?.sha256 !== item.entry.sha256; attempt++) {
          const opened = await source.readStream(item.entry.id);
          if (opened.entry.sha256 === item.entry.sha256 || attempt >= 3) {
            content = item.entry.size <= WHOLE_BYTES ? await collectBody(opened.stream) : opened.stream;
            report.bytes += item.entry.size;
            break;
          }
          for await (const _ of opened.stream);
          item = await from.entryWithHistory(listed.id);
        }
        await keepFrom(item);
        const other = byPath.get(item.entry.filePath);
        if (other && other.id !== item.entry.id) await target.delete(other.id);
        // The target had no entry of this id when listed: created without reading its record first.
        const absent = !mine && !deletedThere.has(item.entry.id);
        await to.importEntry({ ...item, ...(content === undefined ? {} : { content }) }, { absent });
        if (item.deleted) report.vanished++;
        else if (mine || other) report.updated++;
        else report.created++;
        if (options.verify && !item.deleted) {
          await verifyCopy(target, item.entry, item.entry);
          report.verified++;
        }
      } catch (error) {
        if (error instanceof NotFoundError) report.vanished++;
        else fail(listed.filePath, error);
      }
      step(listed.size);
    });
  }
  await pool.drain();
  for await (const item of from.deletedEntries()) {
    await pool.run(async () => {
      try {
        await keepFrom(item);
        if ((await to.importEntry(item)) !== 'unchanged') report.deletedEntries++;
      } catch (error) {
        fail(item.entry.filePath, error);
      }
    });
  }
  await pool.drain();
  const retention = await from.exportRetention();
  if (retention.rules.length > 0 || retention.holds.length > 0) await to.importRetention(retention);
  if (options.prune) await pruneExtra(pool, target, extra, report, fail, step);
  return report;
}
