import { stat } from 'node:fs/promises';
import path from 'node:path';
import { DataLake, DataType } from '@datalake/core';
import { describe, expect, it } from 'vitest';
import { DiskBackend } from '../src/index.js';
import { tempRoot } from './helpers.js';

describe('history on the disk backend', () => {
  it('without fsync, keeps the content an update replaces by linking its file, not by writing it again', async () => {
    const root = await tempRoot();
    const lake = await DataLake.open(new DiskBackend({ root, fsync: false }), { onNotice: () => {} });
    const first = await lake.store({
      name: 'app.cfg',
      content: 'port = 80\n',
      dataType: DataType.CONFIGURATION,
    });
    const before = await stat(path.join(root, 'configuration', 'app.cfg'));
    await lake.update(first.id, { content: 'port = 8080\n' });
    const blob = await stat(path.join(root, '.versions', 'blobs', first.sha256));
    expect(blob.ino).toBe(before.ino);
    expect((await lake.retrieve(first.id, { version: 1 })).content).toBe('port = 80\n');
    expect((await lake.retrieve(first.id)).content).toBe('port = 8080\n');
    expect((await lake.fsck()).ok).toBe(true);
    await lake.close();
  });

  it('with fsync, keeps it as a file of its own (a durable write may still be in the journal only)', async () => {
    const root = await tempRoot();
    const lake = await DataLake.open(new DiskBackend({ root }), { onNotice: () => {} });
    const first = await lake.store({
      name: 'app.cfg',
      content: 'port = 80\n',
      dataType: DataType.CONFIGURATION,
    });
    const before = await stat(path.join(root, 'configuration', 'app.cfg'));
    await lake.update(first.id, { content: 'port = 8080\n' });
    const blob = await stat(path.join(root, '.versions', 'blobs', first.sha256));
    expect(blob.ino).not.toBe(before.ino);
    expect((await lake.retrieve(first.id, { version: 1 })).content).toBe('port = 80\n');
    await lake.close();
  });
});
