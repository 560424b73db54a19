import { join } from 'node:path';
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectsCommand,
  ListObjectsV2Command,
  S3Client,
} from '@aws-sdk/client-s3';
import { S3Backend } from '@datalake/backend-s3';
import { DataLake, DataType } from '@datalake/core';
import { describeEachS3Server } from '@datalake/s3-test-servers/vitest';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { copyLake, restoreBackup, verifyBackup } from '../src/index.js';
import { allIds, historied, historyView } from './support/history.js';
import {
  backupToFile,
  contentsOf,
  fillLake,
  openDiskLake,
  openMemoryLake,
  patternBytes,
  useScratch,
} from './support/lakes.js';

const scratch = useScratch('s3');

describeEachS3Server('copy and backup with S3 lakes', (server) => {
  const bucket = `transfer-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
  const client = new S3Client({
    endpoint: server.endpoint,
    region: server.region,
    credentials: server.credentials,
    forcePathStyle: true,
  });
  const lakes: DataLake[] = [];
  const s3Lake = async (prefix: string) => {
    const backend = await S3Backend.connect({
      bucket,
      prefix,
      endpoint: server.endpoint,
      region: server.region,
      credentials: server.credentials,
    });
    const lake = await DataLake.open(backend, { onNotice: () => {} });
    lakes.push(lake);
    return lake;
  };

  beforeAll(async () => {
    await client.send(new CreateBucketCommand({ Bucket: bucket }));
  });
  afterAll(async () => {
    await Promise.allSettled(lakes.map((lake) => lake.close()));
    for (let token: string | undefined, first = true; first || token; first = false) {
      const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token }));
      const keys = (page.Contents ?? []).map((object) => ({ Key: object.Key }));
      if (keys.length)
        await client.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: keys } }));
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    }
    await client.send(new DeleteBucketCommand({ Bucket: bucket }));
    client.destroy();
  });

  it('copies disk to S3 and S3 to disk, verified and incremental', async () => {
    const folder = await scratch();
    const disk = await openDiskLake(join(folder, 'disk'));
    lakes.push(disk);
    await fillLake(disk);
    // Larger than one multipart part: streamed, never held whole.
    await disk.store({
      name: 'big.bin',
      content: patternBytes(12 * 1024 * 1024, 5),
      dataType: DataType.OTHER,
    });
    const s3 = await s3Lake('copy-target');
    const first = await copyLake(disk, s3, { verify: true });
    expect(first).toMatchObject({ created: 7, verified: 7, failed: [] });
    expect(await copyLake(disk, s3)).toMatchObject({ created: 0, updated: 0, unchanged: 7 });

    const back = await openDiskLake(join(folder, 'back'));
    lakes.push(back);
    expect(await copyLake(s3, back, { verify: true })).toMatchObject({ created: 7, verified: 7 });
    expect(await contentsOf(back)).toEqual(await contentsOf(disk));
  });

  it('backs up an S3 lake and restores it into another prefix', async () => {
    const folder = await scratch();
    const source = await s3Lake('backup-source');
    await fillLake(source);
    const file = join(folder, 'lake.tar.gz');
    await backupToFile(source, file, { gzip: true });
    const target = await s3Lake('backup-target');
    const report = await restoreBackup(file, target);
    expect(report.failed).toEqual([]);
    expect(report.created).toHaveLength(6);
    expect((await verifyBackup(file, { against: target })).against?.matches).toBe(true);
    expect(await contentsOf(target)).toEqual(await contentsOf(source));
  });

  it('copies a lake with history to S3 and back, equal', async () => {
    const source = await openMemoryLake();
    const { gone } = await historied(source);
    const remote = await s3Lake('history');
    expect(await copyLake(source, remote, { verify: true })).toMatchObject({ history: true, failed: [] });
    const ids = await allIds(source, [gone.id]);
    expect(await historyView(remote, ids)).toEqual(await historyView(source, ids));
    const back = await openMemoryLake();
    await copyLake(remote, back);
    expect(await historyView(back, ids)).toEqual(await historyView(source, ids));
    expect(await back.list()).toEqual(await source.list());
  });
});
