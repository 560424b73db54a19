import type { Entry, StorageBackend } from '@datalake/model';
import { DataLake, type DataLakeOptions } from '../../lake/data-lake.js';
import type { Lake } from '../../lake/lake.js';

/**
 * Opens a `DataLake` in this process for a check (the default `LakeOpener`). The check context owns
 * the backend, so closing the lake leaves it open; notices are collected instead of printed. The
 * checks prove the lake's behaviour on the backend as it is, so a shared backend without atomic
 * conditional writes is opened too (the racing checks are gated on that capability).
 */
export function openLocalLake(backend: StorageBackend, options: DataLakeOptions = {}): Promise<DataLake> {
  return DataLake.open(backend, {
    keepBackendOpen: true,
    acceptNonAtomicWrites: true,
    onNotice: () => {},
    ...options,
  });
}

/** Paths of entries, for compact comparisons. */
export function pathsOf(entries: readonly Entry[]): string[] {
  return entries.map((entry) => entry.filePath).sort();
}

/** Reads a lake's streaming read to the end. */
export async function readStreamed(lake: Lake, id: string): Promise<Uint8Array> {
  const { stream } = await lake.readStream(id);
  const chunks: Uint8Array[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return Buffer.concat(chunks);
}
