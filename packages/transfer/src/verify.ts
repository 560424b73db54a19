import type { Lake } from '@datalake/core';
import type { ArchiveSource } from './archive-reader.js';
import { compareEntries } from './compare.js';
import type { TransferProgress } from './progress.js';
import { scanArchive } from './scan.js';

export interface VerifyOptions {
  /** Also compare the backup's entries with this lake's. */
  against?: Lake;
  /** Largest manifest accepted, in bytes (see `ScanOptions`). */
  maxManifestBytes?: number;
  onProgress?: (progress: TransferProgress) => void;
}

/** How a lake differs from a backup, by entry path. */
export interface LakeDifferences {
  /** In the backup, not in the lake. */
  missing: string[];
  /** In both, with other content and/or metadata. */
  differing: { filePath: string; content: boolean; metadata: boolean }[];
  /** In the lake, not in the backup. */
  extra: string[];
}

export interface VerifyReport {
  backupId: string;
  createdAt: string;
  since: { backupId: string; createdAt: string } | null;
  /** The archive's format (2: with history). */
  format: number;
  entries: number;
  /** Deleted entries the backup holds with their history (format 2). */
  deleted: number;
  /** Versions of all entries, deleted ones included (format 1: one per entry). */
  versions: number;
  /** Distinct contents the entries refer to, in this archive and (for a `--since` backup) in its bases. */
  contents: number;
  contentsInBase: number;
  /** Bytes of content checked. */
  contentBytes: number;
  members: number;
  voidMembers: number;
  /** With `against`: how the lake differs from the backup. `matches` is true when in no way. */
  against?: LakeDifferences & { matches: boolean };
}

/**
 * Reads the whole archive and checks its structure, the manifest, every content's SHA-256 and the
 * checksums of every member. A problem throws `ArchiveError`; a valid archive gives its report.
 * Contents a `--since` backup left to its bases are not checked here (verify the bases too).
 */
export async function verifyBackup(
  source: ArchiveSource,
  options: VerifyOptions = {},
): Promise<VerifyReport> {
  let done = 0;
  let bytes = 0;
  const summary = await scanArchive(source, {
    ...(options.maxManifestBytes ? { maxManifestBytes: options.maxManifestBytes } : {}),
    onContent: (size) => {
      done++;
      bytes += size;
      options.onProgress?.({ phase: 'verify', done, total: 0, bytes, totalBytes: 0 });
    },
  });
  const used = new Set([...summary.entries.values()].map((entry) => entry.sha256));
  for (const versions of summary.versions.values()) for (const version of versions) used.add(version.sha256);
  for (const item of summary.deleted.values()) for (const version of item.versions) used.add(version.sha256);
  let inBase = 0;
  for (const sha256 of used) if (summary.contents.get(sha256)?.in === 'base') inBase++;
  const report: VerifyReport = {
    backupId: summary.header.backupId,
    createdAt: summary.header.createdAt,
    since: summary.header.since,
    format: summary.header.format,
    entries: summary.entries.size,
    deleted: summary.deleted.size,
    versions: summary.header.history
      ? [...summary.versions.values(), ...[...summary.deleted.values()].map((item) => item.versions)].reduce(
          (sum, versions) => sum + versions.length,
          0,
        )
      : summary.entries.size,
    contents: used.size,
    contentsInBase: inBase,
    contentBytes: summary.contentBytes,
    members: summary.members,
    voidMembers: summary.voidMembers,
  };
  if (options.against) {
    await options.against.refresh();
    const comparison = compareEntries(summary.entries.values(), await options.against.list());
    const differences: LakeDifferences = {
      missing: comparison.missing.map((entry) => entry.filePath),
      differing: comparison.differing.map((item) => ({
        filePath: item.wanted.filePath,
        content: item.content,
        metadata: item.metadata,
      })),
      extra: comparison.extra.map((entry) => entry.filePath),
    };
    const matches =
      differences.missing.length === 0 &&
      differences.differing.length === 0 &&
      differences.extra.length === 0;
    report.against = { ...differences, matches };
  }
  return report;
}
