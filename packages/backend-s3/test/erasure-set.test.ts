import { mkdir, rename, rm, unlink, writeFile } from 'node:fs/promises';
import { DeleteBucketCommand, type S3Client } from '@aws-sdk/client-s3';
import { BackendError, PreconditionFailedError, PutMode } from '@datalake/core';
import type { ErasureSet } from '@datalake/s3-test-servers';
import { describeEachS3Server } from '@datalake/s3-test-servers/vitest';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { S3Backend } from '../src/index.js';
import { MIB } from '../src/options.js';
import { patternBytes, readAll, sha256, streamOf } from './support/bodies.js';
import { createBucket, emptyBucket, pendingUploads, rawClient, uniqueName } from './support/test-bucket.js';

// Bounds only a hang: these tests wait on server restarts and retries, slow on a busy machine.
const FAULT_TEST_TIMEOUT_MS = 600_000;

const AWAY = '.away';

/** Swaps a drive folder for an empty one, as if its disk had been replaced by a blank one. */
async function wipe(drive: string): Promise<void> {
  await rename(drive, `${drive}.wiped`);
  await mkdir(drive);
  await rm(`${drive}.wiped`, { recursive: true, force: true });
}

/**
 * Takes a drive away while the server runs: its folder moves aside and a plain file takes its
 * place, so the server cannot create an empty drive there meanwhile.
 */
async function takeAway(drive: string): Promise<void> {
  await rename(drive, `${drive}${AWAY}`);
  await writeFile(drive, 'this drive is gone\n');
}

async function bringBack(drive: string): Promise<void> {
  await unlink(drive);
  await rename(`${drive}${AWAY}`, drive);
}

/** Asks again (every half second, for at most a minute) until `attempt` succeeds. */
async function eventually<T>(attempt: () => Promise<T>): Promise<T> {
  for (let tries = 1; ; tries++) {
    try {
      return await attempt();
    } catch (error) {
      if (tries >= 120) throw error;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
}

// MinIO only: an erasure-coded set of four drives (four folders) of this file's own, whose drives
// the tests take away while the server runs. Parity is 2, so a write needs 3 drives, a read 2.
describeEachS3Server(
  'S3Backend on an erasure set losing drives',
  (server) => {
    let set: ErasureSet;
    let admin: S3Client;
    const bucket = uniqueName('erasure');
    const backends: S3Backend[] = [];
    const connect = async (prefix: string) => {
      const backend = await S3Backend.connect({
        bucket,
        prefix,
        endpoint: set.endpoint,
        region: set.region,
        credentials: set.credentials,
        multipartThreshold: 5 * MIB,
        partSize: 5 * MIB,
        maxAttempts: 2,
        connectTimeoutMs: 2_000,
        socketTimeoutMs: 10_000,
      });
      backends.push(backend);
      return backend;
    };
    const bodyOf = (i: number) => patternBytes(i % 10 === 0 ? 6 * MIB + i : 1_000 + i * 37, i + 1);

    beforeAll(async () => {
      const erasureSet = server.faults?.erasureSet;
      if (erasureSet === undefined) throw new Error(`${server.name} has no erasure set control`);
      set = await erasureSet();
      admin = rawClient(set);
      await createBucket(admin, bucket);
    });
    afterAll(async () => {
      await Promise.all(backends.map((backend) => backend.close()));
      if (set === undefined) return;
      try {
        for (const drive of set.drives) await bringBack(drive).catch(() => undefined);
        await eventually(() => emptyBucket(admin, bucket));
        await admin.send(new DeleteBucketCommand({ Bucket: bucket }));
      } finally {
        admin.destroy();
        await set.stop();
      }
    });

    it(
      'keeps every read and write exact while a drive is wiped under a running workload',
      async () => {
        expect(set.drives).toHaveLength(4);
        const backend = await connect('wiped');
        expect(backend.capabilities.atomicConditionalWrites).toBe(true);
        const written = new Map<string, string>();
        let operations = 0;
        const worker = async (id: number) => {
          for (let round = 0; round < 30; round++) {
            const i = id * 100 + round;
            const bytes = bodyOf(i);
            const key = `w${id}/object-${round}.bin`;
            // The big ones go up in parts.
            await backend.put(key, i % 10 === 0 ? streamOf(bytes, MIB) : bytes);
            written.set(key, sha256(bytes));
            if (++operations === 20) await wipe(set.drives[1] as string);
            const keys = [...written.keys()];
            const pick = keys[(i * 7919) % keys.length] as string;
            expect(sha256(await readAll((await backend.get(pick))?.body ?? [])), pick).toBe(
              written.get(pick),
            );
          }
        };
        await Promise.all([0, 1, 2, 3].map(worker));
        await expect(
          backend.put('w0/object-0.bin', bodyOf(0), { mode: PutMode.create }),
        ).rejects.toBeInstanceOf(PreconditionFailedError);
        for (const [key, digest] of written) {
          expect(sha256(await readAll((await backend.get(key))?.body ?? [])), key).toBe(digest);
        }
        expect((await backend.list('', { limit: 1000 })).objects).toHaveLength(written.size);
      },
      FAULT_TEST_TIMEOUT_MS,
    );

    it(
      'fails with typed errors when three drives are gone, and shows nothing half-written once they are back',
      async () => {
        const backend = await connect('lost');
        const before = bodyOf(3);
        await backend.put('before.bin', before);
        for (const drive of set.drives.slice(1)) await takeAway(drive);

        // Reads first: right after the drives go, MinIO still answers 404 for a while (as if the
        // bucket were gone), before it notices and answers 503.
        const attempts: Array<[string, () => Promise<unknown>]> = [
          ['head', () => backend.head('before.bin')],
          ['get', () => backend.get('before.bin').then(async (result) => readAll(result?.body ?? []))],
          ['delete', () => backend.delete('before.bin')],
          ['put', () => backend.put('during.bin', bodyOf(4))],
          ['conditional put', () => backend.put('created.bin', bodyOf(5), { mode: PutMode.create })],
          ['multipart put', () => backend.put('parts.bin', streamOf(bodyOf(10), MIB))],
          ['overwrite', () => backend.put('before.bin', bodyOf(6))],
        ];
        for (const [name, attempt] of attempts) {
          const error = await attempt().then(
            (value) =>
              new Error(
                `${name} succeeded with three of four drives gone: ${JSON.stringify(value)?.slice(0, 300)}`,
              ),
            (e: unknown) => e,
          );
          expect(error, name).toBeInstanceOf(BackendError);
        }

        for (const drive of set.drives.slice(1)) await bringBack(drive);
        const back = await eventually(() =>
          backend.get('before.bin').then(async (result) => readAll(result?.body ?? [])),
        );
        expect(sha256(back)).toBe(sha256(before));
        for (const key of ['during.bin', 'created.bin', 'parts.bin'])
          expect(await backend.head(key), key).toBeNull();
        expect((await backend.list('')).objects.map((object) => object.key)).toEqual(['before.bin']);
        expect(await pendingUploads(admin, bucket, 'lost/')).toEqual([]);
      },
      FAULT_TEST_TIMEOUT_MS,
    );
  },
  { kind: 'minio', faults: true },
);
