import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import { DiskBackend } from '@datalake/backend-disk';
import { MemoryBackend } from '@datalake/backend-memory';
import { DataLake, DataType, type Entry, type Lake } from '@datalake/core';
import { afterAll } from 'vitest';
import { type BackupReport, type CreateBackupOptions, createBackup } from '../../src/index.js';

/** A scratch folder for the test file, removed after it. */
export function useScratch(label: string): () => Promise<string> {
  const made: string[] = [];
  afterAll(async () => {
    for (const folder of made) await rm(folder, { recursive: true, force: true });
  });
  return async () => {
    const folder = await mkdtemp(join(tmpdir(), `datalake-${label}-`));
    made.push(folder);
    return folder;
  };
}

const quiet = { onNotice: () => {} };

export function openDiskLake(root: string): Promise<DataLake> {
  return DataLake.open(new DiskBackend({ root, fsync: false }), quiet);
}

export function openMemoryLake(): Promise<DataLake> {
  return DataLake.open(new MemoryBackend(), quiet);
}

/** Deterministic pseudo-random bytes. */
export function patternBytes(size: number, seed = 1): Uint8Array {
  const bytes = new Uint8Array(size);
  let state = seed >>> 0 || 1;
  for (let i = 0; i < size; i++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    bytes[i] = state & 0xff;
  }
  return bytes;
}

export const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** A few entries of every kind: text, binary, empty, shared content, nested folders, metadata. */
export async function fillLake(lake: Lake): Promise<void> {
  await lake.store({
    name: 'orders.sql',
    content: 'CREATE TABLE orders (id int);\n',
    dataType: DataType.SCHEMA,
    subpath: 'shop/v1',
    metadata: { owner: 'shop', tags: ['a', 'b'], nested: { x: 1, y: null } },
  });
  await lake.store({
    name: 'copy.sql',
    content: 'CREATE TABLE orders (id int);\n',
    dataType: DataType.SCHEMA,
  });
  await lake.store({ name: 'Report.bas', content: 'Sub Run()\nEnd Sub\n', dataType: DataType.MACRO });
  await lake.store({ name: 'empty.txt', content: '', dataType: DataType.DOCUMENTATION });
  await lake.store({
    name: 'blob.bin',
    content: patternBytes(300_000, 7),
    dataType: DataType.OTHER,
    subpath: 'bin',
  });
  await lake.store({
    name: 'Zoë ✓.md',
    content: '# ünïcode\n',
    dataType: DataType.DOCUMENTATION,
    subpath: 'ä/ö',
  });
}

/** What makes two lakes hold the same: path, content and metadata of each entry. */
export async function contentsOf(
  lake: Lake,
): Promise<{ filePath: string; sha256: string; size: number; metadata: Entry['metadata'] }[]> {
  await lake.refresh();
  return (await lake.list()).map(({ filePath, sha256, size, metadata }) => ({
    filePath,
    sha256,
    size,
    metadata,
  }));
}

/** Writes a backup of `lake` to `file`. */
export async function backupToFile(
  lake: Lake,
  file: string,
  options: Omit<CreateBackupOptions, 'output'> = {},
): Promise<BackupReport> {
  const output = createWriteStream(file);
  const report = await createBackup(lake, { ...options, output });
  await finished(output).catch(() => {});
  return report;
}
