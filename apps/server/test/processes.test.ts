import { setTimeout as sleep } from 'node:timers/promises';
import { RemoteLake, UnauthorizedError } from '@datalake/client';
import { DataLake, DataType, type ListOptions, NotFoundError, type StorageBackend } from '@datalake/core';
import { describeEachS3Server } from '@datalake/s3-test-servers/vitest';
import { describe, expect, it } from 'vitest';
import { bootstrapAdmin, startServerProcess } from './support/processes.js';
import { useS3Prefix } from './support/s3.js';
import { removeDisk, tempDisk } from './support/served.js';

/** Polls until `check` holds; returns how long it took (reported, never asserted: no timing in tests). */
async function eventually(check: () => Promise<boolean>, what: string, deadlineMs = 60_000): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < deadlineMs) {
    if (await check()) return Date.now() - started;
    await sleep(25);
  }
  throw new Error(`not within ${deadlineMs} ms: ${what}`);
}

async function* slowUpload(): AsyncIterable<Uint8Array> {
  for (let chunk = 0; chunk < 1000; chunk++) {
    yield new Uint8Array(16 * 1024).fill(chunk % 256);
    await sleep(20);
  }
}

describe('a server process', () => {
  it('killed (SIGKILL) mid-upload and restarted shows no half entry, and the path can be stored', async () => {
    const backend = await tempDisk();
    const config = { backend: { kind: 'disk', root: backend.root } };
    try {
      const token = await bootstrapAdmin(backend);
      const first = await startServerProcess(config);
      const client = new RemoteLake({ url: first.url, token });
      const upload = client
        .store({ name: 'big.bin', content: slowUpload(), dataType: DataType.OTHER, subpath: 'crash' })
        .catch((error: unknown) => error);
      // Wait until the upload is under way: its claim on the path exists.
      await eventually(async () => (await backend.list('.claims/')).objects.length > 0, 'the upload started');
      await sleep(200);
      await first.kill();
      expect(await upload).toBeInstanceOf(Error);

      const second = await startServerProcess(config);
      try {
        const again = new RemoteLake({ url: second.url, token });
        expect(await again.list()).toEqual([]);
        expect((await again.getStats()).totalEntries).toBe(0);
        await expect(again.retrieveByPath('other/crash/big.bin')).rejects.toBeInstanceOf(NotFoundError);
        const stored = await again.store({
          name: 'big.bin',
          content: 'whole',
          dataType: DataType.OTHER,
          subpath: 'crash',
        });
        expect((await again.retrieve(stored.id)).content).toBe('whole');
      } finally {
        await second.stop();
      }
      const local = await DataLake.open(backend, { keepBackendOpen: true, onNotice: () => {} });
      expect((await local.list()).map((entry) => entry.filePath)).toEqual(['other/crash/big.bin']);
      await local.close();
    } finally {
      await removeDisk(backend);
    }
  });
});

/** Stores `count` small entries (64 at a time), so a listing of every record takes more than one page. */
async function seed(backend: StorageBackend, count: number): Promise<void> {
  const lake = await DataLake.open(backend, { keepBackendOpen: true, onNotice: () => {}, search: 'scan' });
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      await lake.store({ name: `s${i}.txt`, content: `seed ${i}`, dataType: DataType.LOGS, subpath: 'seed' });
    }
  };
  await Promise.all(Array.from({ length: 64 }, worker));
  await lake.close();
}

/** How many list calls of `.metadata/` opening the lake takes (a full listing of the records). */
async function fullListingCalls(backend: StorageBackend): Promise<number> {
  let calls = 0;
  const counting = new Proxy(backend, {
    get(target, property) {
      if (property === 'list')
        return (prefix: string, options?: ListOptions) => {
          if (prefix === METADATA) calls++;
          return target.list(prefix, options);
        };
      const value = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  const lake = await DataLake.open(counting, { keepBackendOpen: true, onNotice: () => {}, search: 'scan' });
  await lake.close();
  return calls;
}

const METADATA = '.metadata/';
const CHANGES = '.changes/';
const TOKENS = '.auth/tokens/';

/**
 * Two server processes over one lake: writes and revocations through one reach the other by
 * itself, and staying current costs in proportion to the changes: after opening, neither instance
 * lists the lake's records or tokens again (each refresh lists only the change journal), however
 * many entries the lake holds. The times are reported, not asserted (no test depends on speed; the bench has the
 * bound).
 */
async function twoInstances(config: unknown, token: string, backend: StorageBackend): Promise<void> {
  const [a, b] = await Promise.all([startServerProcess(config), startServerProcess(config)]);
  let stopped = false;
  try {
    const viaA = new RemoteLake({ url: a.url, token });
    const viaB = new RemoteLake({ url: b.url, token });
    const seeded = (await viaB.getStats()).totalEntries;
    const stored = await viaA.store({ name: 'shared.md', content: 'v1', dataType: DataType.DOCUMENTATION });
    const seen = await eventually(
      async () =>
        (await viaB.list({ dataType: DataType.DOCUMENTATION })).some((entry) => entry.id === stored.id),
      'a store through A listed by B',
    );
    await viaA.update(stored.id, { content: 'v2' });
    await eventually(
      async () => (await viaB.search('v2', { dataType: DataType.DOCUMENTATION })).hits.length === 1,
      'an update through A found by B',
    );
    await viaB.delete(stored.id);
    await eventually(
      async () => (await viaA.getStats()).totalEntries === seeded,
      'a delete through B counted by A',
    );

    const { token: user, info } = await viaA.createToken({ name: 'user', grants: [{ actions: ['read'] }] });
    expect((await new RemoteLake({ url: b.url, token: user }).getStats()).totalEntries).toBe(seeded);
    await viaA.revokeToken(info.id);
    const revoked = await eventually(async () => {
      try {
        await new RemoteLake({ url: b.url, token: user }).getStats();
        return false;
      } catch (error) {
        if (error instanceof UnauthorizedError) return true;
        throw error;
      }
    }, 'a token revoked through A refused by B');
    // Several refreshes of each instance, all after every change above.
    await sleep(3000);
    const [listsOfA, listsOfB] = await Promise.all([a.stop(), b.stop()]);
    stopped = true;
    const opening = await fullListingCalls(backend);
    for (const lists of [listsOfA.lists ?? {}, listsOfB.lists ?? {}]) {
      expect(lists[METADATA]).toBe(opening);
      expect(lists[CHANGES]).toBeGreaterThanOrEqual(3);
      // The tokens are listed once, at the start: revocations come through the change journal.
      expect(lists[TOKENS] ?? 0).toBeLessThanOrEqual(1);
    }
    console.info(
      `two instances over ${seeded} entries: a store seen by the other after ${seen} ms, a revocation after ${revoked} ms; list calls of B: ${JSON.stringify(listsOfB.lists)}`,
    );
  } finally {
    if (!stopped) await Promise.all([a.stop(), b.stop()]);
  }
}

describe('two server processes', () => {
  it('over one disk folder serve the same data and the same tokens', async () => {
    const backend = await tempDisk();
    try {
      await seed(backend, 300);
      await twoInstances(
        { backend: { kind: 'disk', root: backend.root } },
        await bootstrapAdmin(backend),
        backend,
      );
    } finally {
      await removeDisk(backend);
    }
  });
});

describeEachS3Server('two server processes over one S3 bucket', (server) => {
  const lake = useS3Prefix(server, 'server-instances');
  it('serve the same data and the same tokens', async () => {
    const { bucket, prefix, backend, connection } = await lake();
    const { endpoint, region, credentials } = connection;
    // More records than one S3 list page holds: a full listing would take several requests.
    await seed(backend, 1100);
    await twoInstances(
      { backend: { kind: 's3', bucket, prefix, endpoint, region, credentials } },
      await bootstrapAdmin(backend),
      backend,
    );
  }, 600_000);
});
