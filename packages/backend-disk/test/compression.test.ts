import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { DataLake, DataType } from '@datalake/core';
import { afterEach, describe, expect, it } from 'vitest';
import { DiskBackend } from '../src/index.js';
import { tempRoot } from './helpers.js';

const roots: string[] = [];
afterEach(async () => {
  for (const root of roots.splice(0)) await rm(root, { recursive: true, force: true });
});

function logText(lines: number): string {
  const out: string[] = [];
  for (let line = 0; line < lines; line++)
    out.push(
      `2026-02-01T09:${String(line % 60).padStart(2, '0')}:00Z INFO job ${line % 11} finished step ${line}`,
    );
  return `${out.join('\n')}\n`;
}

async function lakeIn(root: string): Promise<DataLake> {
  return DataLake.open(new DiskBackend({ root, fsync: false }), { onNotice: () => {} });
}

describe('compression on disk', () => {
  it('writes a .gz file a person can read with gunzip, and reads it back byte-exact', async () => {
    const root = await tempRoot();
    roots.push(root);
    const lake = await lakeIn(root);
    expect(lake.compressionSettings()).toBeNull();
    await lake.setCompression({ codec: 'gzip', minBytes: 1024 });
    const text = logText(5000);
    const entry = await lake.store({
      name: 'job.log',
      subpath: 'ci',
      content: text,
      dataType: DataType.LOGS,
    });
    expect(entry.stored?.codec).toBe('gzip');
    expect(await readdir(path.join(root, 'logs', 'ci'))).toEqual(['job.log.gz']);
    const onDisk = await readFile(path.join(root, 'logs', 'ci', 'job.log.gz'));
    expect(entry.stored?.size).toBe(onDisk.byteLength);
    expect(gunzipSync(onDisk).toString('utf8')).toBe(text);
    const stats = await lake.getStats();
    expect(stats.storedSizeBytes).toBe(onDisk.byteLength);
    expect(stats.originalSizeBytes).toBe(Buffer.byteLength(text));
    expect((await lake.fsck()).problems).toEqual([]);
    await lake.close();

    // Another instance (another tool) applies the same setting, read from the lake.
    const other = await lakeIn(root);
    expect(other.compressionSettings()).toEqual({ codec: 'gzip', minBytes: 1024 });
    const second = await other.store({ name: 'second.log', content: text, dataType: DataType.LOGS });
    expect(second.stored?.codec).toBe('gzip');
    expect(Buffer.from(await other.readBytes(entry.id)).toString('utf8')).toBe(text);
    await other.close();
  });

  it('fsck reports a compressed file whose content is not the entry’s, and one that is missing', async () => {
    const root = await tempRoot();
    roots.push(root);
    const lake = await lakeIn(root);
    await lake.setCompression({ codec: 'brotli', minBytes: 1024 });
    const damaged = await lake.store({ name: 'a.log', content: logText(3000), dataType: DataType.LOGS });
    const gone = await lake.store({ name: 'b.log', content: logText(2000), dataType: DataType.LOGS });
    // A valid brotli stream of other content, and a removed file.
    const { brotliCompressSync } = await import('node:zlib');
    await writeFile(path.join(root, 'logs', 'a.log.br'), brotliCompressSync(Buffer.from(logText(2999))));
    await rm(path.join(root, 'logs', 'b.log.br'));
    const report = await lake.fsck();
    const kinds = report.problems.map((problem) => [problem.kind, problem.key]).sort();
    expect(kinds).toEqual([
      ['content-mismatch', 'logs/a.log.br'],
      ['missing-content', 'logs/b.log.br'],
    ]);
    await expect(lake.readBytes(damaged.id)).rejects.toMatchObject({ code: 'CORRUPT' });
    await expect(lake.readBytes(gone.id)).rejects.toMatchObject({ code: 'CORRUPT' });
    await lake.close();
  });

  it('a compressed file replaced by a bomb is refused with a typed error', async () => {
    const root = await tempRoot();
    roots.push(root);
    const lake = await lakeIn(root);
    await lake.setCompression({ codec: 'gzip', minBytes: 1024 });
    const entry = await lake.store({ name: 'a.log', content: logText(3000), dataType: DataType.LOGS });
    const { gzipSync } = await import('node:zlib');
    await writeFile(path.join(root, 'logs', 'a.log.gz'), gzipSync(new Uint8Array(64 * 1024 * 1024)));
    await expect(lake.readBytes(entry.id)).rejects.toMatchObject({ code: 'TOO_LARGE' });
    const { stream } = await lake.readStream(entry.id);
    const reading = (async () => {
      for await (const _chunk of stream);
    })();
    await expect(reading).rejects.toMatchObject({ code: 'TOO_LARGE' });
    await lake.close();
  });

  it('refuses zstd where this Node.js lacks it, and a bad threshold, changing nothing', async () => {
    const root = await tempRoot();
    roots.push(root);
    const lake = await lakeIn(root);
    const { codecAvailable } = await import('@datalake/core');
    if (!codecAvailable('zstd'))
      await expect(lake.setCompression({ codec: 'zstd' })).rejects.toMatchObject({
        name: 'UnsupportedCodecError',
        code: 'VALIDATION',
      });
    else expect(await lake.setCompression({ codec: 'zstd' })).toMatchObject({ codec: 'zstd' });
    await expect(lake.setCompression({ codec: 'gzip', minBytes: -1 })).rejects.toMatchObject({
      code: 'VALIDATION',
    });
    if (!codecAvailable('zstd')) expect(lake.compressionSettings()).toBeNull();
    await lake.close();
  });
});
