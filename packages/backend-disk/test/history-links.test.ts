import { stat } from 'node:fs/promises';
import path from 'node:path';
import { DataLake, DataType } from '@datalake/core';
import { describe, expect, it } from 'vitest';
import { DiskBackend } from '../src/index.js';
import { tempRoot } from './helpers.js';

/** Stores an entry, updates its content, and gives the inodes of the old content file and of its kept blob. */
async function updateOnce(fsync: boolean) {
  const root = await tempRoot();
  const lake = await DataLake.open(new DiskBackend({ root, fsync }), { onNotice: () => {} });
  const first = await lake.store({
    name: 'app.cfg',
    content: 'port = 80\n',
    dataType: DataType.CONFIGURATION,
  });
  const before = await stat(path.join(root, 'configuration', 'app.cfg'));
  await lake.update(first.id, { content: 'port = 8080\n' });
  const blob = await stat(path.join(root, '.versions', 'blobs', first.sha256));
  return { lake, id: first.id, contentInode: before.ino, blobInode: blob.ino };
}

describe('history on the disk backend', () => {
  it('without fsync, keeps the content an update replaces by linking its file, not by writing it again', async () => {
    const { lake, id, contentInode, blobInode } = await updateOnce(false);
    expect(blobInode).toBe(contentInode);
    expect((await lake.retrieve(id, { version: 1 })).content).toBe('port = 80\n');
    expect((await lake.retrieve(id)).content).toBe('port = 8080\n');
    expect((await lake.fsck()).ok).toBe(true);
    await lake.close();
  });

  it('with fsync, keeps it as a file of its own (a durable write may still be in the journal only)', async () => {
    const { lake, id, contentInode, blobInode } = await updateOnce(true);
    expect(blobInode).not.toBe(contentInode);
    expect((await lake.retrieve(id, { version: 1 })).content).toBe('port = 80\n');
    await lake.close();
  });
});
