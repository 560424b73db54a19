import { DeleteBucketCommand, HeadBucketCommand, type S3Client } from '@aws-sdk/client-s3';
import { BackendError, DataLake, DataLakeError, PutMode } from '@datalake/core';
import type { CrashableServer } from '@datalake/s3-test-servers';
import { describeEachS3Server } from '@datalake/s3-test-servers/vitest';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { S3Backend } from '../src/index.js';
import { MIB } from '../src/options.js';
import { patternBytes, readAll, text } from './support/bodies.js';
import { createBucket, emptyBucket, rawClient, uniqueName } from './support/test-bucket.js';

// Bounds only a hang: these tests wait on server restarts and retries, slow on a busy machine.
const FAULT_TEST_TIMEOUT_MS = 600_000;

// The server that dies is one of the test's own (RGW: the cluster's spare gateway; MinIO: a
// server with its own data), started for this file and stopped after it: other test files and
// packages use the shared server at the same time, so it must never go down.
describeEachS3Server(
  'S3Backend when the server dies mid-run',
  (server) => {
    let crashable: CrashableServer;
    let admin: S3Client;
    const bucket = uniqueName('dying');
    const backends: S3Backend[] = [];
    const backend = (prefix: string) => {
      const created = new S3Backend({
        bucket,
        prefix,
        endpoint: crashable.endpoint,
        region: crashable.region,
        credentials: crashable.credentials,
        atomicConditionalWrites: true,
        multipartThreshold: 5 * MIB,
        partSize: 5 * MIB,
        partConcurrency: 2,
        maxAttempts: 2,
        connectTimeoutMs: 1_000,
        socketTimeoutMs: 2_000,
      });
      backends.push(created);
      return created;
    };

    beforeAll(async () => {
      crashable = await (server.faults as NonNullable<typeof server.faults>).crashableServer();
      admin = rawClient(crashable.buckets);
      await createBucket(admin, bucket);
    });
    // However a test ends, the server is brought back to empty the bucket, then stopped.
    afterAll(async () => {
      await Promise.all(backends.map((each) => each.close()));
      if (crashable === undefined) return;
      try {
        await crashable.restart();
        await emptyBucket(admin, bucket);
        await admin.send(new DeleteBucketCommand({ Bucket: bucket }));
      } finally {
        admin?.destroy();
        await crashable.stop();
      }
    });

    it(
      'fails with typed errors while it is down, leaves nothing half-written, and carries on after a restart',
      async () => {
        const objects = backend('objects');
        await objects.put('before.txt', text('written before the crash'));

        const large = patternBytes(16 * MIB, 3);
        async function* killedMidway() {
          for (let offset = 0; offset < large.byteLength; offset += MIB) {
            if (offset === 11 * MIB) await crashable.kill();
            yield large.subarray(offset, offset + MIB);
          }
        }
        const upload = await objects.put('interrupted.bin', killedMidway()).catch((e: unknown) => e);
        expect(upload).toBeInstanceOf(BackendError);

        const whileDown = await objects.put('while-down.txt', text('x')).catch((e: unknown) => e);
        expect(whileDown).toBeInstanceOf(BackendError);
        expect((whileDown as Error).message).toMatch(/while-down\.txt.*could not be reached/);
        await expect(objects.get('before.txt')).rejects.toBeInstanceOf(BackendError);
        await expect(objects.put('created.txt', text('x'), { mode: PutMode.create })).rejects.toBeInstanceOf(
          BackendError,
        );
        if (crashable.bucketsSurviveCrash) {
          // Only the crashable server died: the shared one still serves the same bucket.
          await admin.send(new HeadBucketCommand({ Bucket: bucket }));
        }

        await crashable.restart();
        expect(await objects.head('interrupted.bin')).toBeNull();
        expect(await objects.head('while-down.txt')).toBeNull();
        expect(await objects.head('created.txt')).toBeNull();
        expect((await readAll((await objects.get('before.txt'))?.body ?? [])).toString()).toBe(
          'written before the crash',
        );
        await objects.put('after.txt', text('written after the restart'));
        expect((await objects.list('')).objects.map((object) => object.key)).toEqual([
          'after.txt',
          'before.txt',
        ]);
      },
      FAULT_TEST_TIMEOUT_MS,
    );

    it(
      'a lake on it fails stores with a typed error while it is down, and shows only whole entries after a restart',
      async () => {
        const lake = await DataLake.open(backend('lake'), { onNotice: () => undefined });
        const stored = await lake.store({
          name: 'kept.sql',
          dataType: 'schema',
          content: text('create table kept;'),
        });
        await crashable.kill();
        const failed = await lake
          .store({ name: 'lost.sql', dataType: 'schema', content: text('create table lost;') })
          .catch((e: unknown) => e);
        expect(failed).toBeInstanceOf(DataLakeError);
        expect((failed as DataLakeError).code).toBe('BACKEND');
        await lake.close().catch(() => undefined);

        await crashable.restart();
        const reopened = await DataLake.open(backend('lake'), { onNotice: () => undefined });
        const entries = await reopened.list();
        expect(entries.map((entry) => entry.filePath)).toEqual([stored.filePath]);
        const retrieved = await reopened.retrieve(stored.id);
        expect(retrieved.content).toBe('create table kept;');
        await reopened.store({ name: 'lost.sql', dataType: 'schema', content: text('create table lost;') });
        expect((await reopened.getStats()).totalEntries).toBe(2);
        await reopened.close();
      },
      FAULT_TEST_TIMEOUT_MS,
    );
  },
  { faults: true },
);
