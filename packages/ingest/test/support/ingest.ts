import { DiskBackend } from '@datalake/backend-disk';
import { DataLake, type Entry } from '@datalake/core';
import { type IngestOptions, type IngestSummary, ingestTree, silentProgress } from '../../src/index.js';

/** Opens (creating if need be) a disk lake in `root`; notices are collected, not printed. */
export async function openDiskLake(root: string, notices: string[] = []): Promise<DataLake> {
  return DataLake.open(new DiskBackend({ root, fsync: false }), {
    onNotice: (message) => notices.push(message),
  });
}

/** `ingestTree` with the settings of these tests: every option explicit, 8 files at once. */
export function ingest(
  lake: DataLake,
  root: string,
  options: Partial<Omit<IngestOptions, 'root'>> = {},
): Promise<IngestSummary> {
  return ingestTree(lake, {
    root,
    maxSize: 256 * 1024 * 1024,
    concurrency: 8,
    dryRun: false,
    prune: false,
    progress: silentProgress,
    ...options,
  });
}

/** Opens a disk lake, ingests `root` into it and closes it. */
export async function ingestInto(
  lakeRoot: string,
  root: string,
  options: Partial<Omit<IngestOptions, 'root'>> = {},
): Promise<IngestSummary> {
  const lake = await openDiskLake(lakeRoot);
  try {
    return await ingest(lake, root, options);
  } finally {
    await lake.close();
  }
}

/** The raw source path of an entry made by ingest, as bytes. */
export function sourceBytesOf(entry: Entry): Buffer {
  const raw = entry.metadata.sourcePathBytes;
  if (typeof raw === 'string') return Buffer.from(raw, 'base64');
  return Buffer.from(String(entry.metadata.sourcePath), 'utf8');
}

/** What an ingest changed in the lake: nonzero counts of stored, updated, moved, repaired, pruned. */
export function changes(summary: IngestSummary): Record<string, number> {
  const counts = {
    stored: summary.stored,
    updated: summary.updated,
    moved: summary.moved,
    repaired: summary.repaired,
    pruned: summary.pruned,
  };
  return Object.fromEntries(Object.entries(counts).filter(([, count]) => count !== 0));
}
