import { request } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { MemoryBackend } from '@datalake/backend-memory';
import { DataType } from '@datalake/core';
import { afterEach, describe, expect, it } from 'vitest';
import { bearer, raw } from './support/http.js';
import { removeDisk, type Served, serve, tempDisk } from './support/served.js';

let served: Served | undefined;
afterEach(async () => {
  await served?.close();
  served = undefined;
});

/** Polls `check` until it holds (the server finishes a request after its client is gone). */
async function eventually(check: () => Promise<boolean>, what: string): Promise<void> {
  for (let attempt = 0; attempt < 600; attempt++) {
    if (await check()) return;
    await sleep(50);
  }
  throw new Error(`never happened: ${what}`);
}

describe('concurrency', () => {
  it('64 clients storing one path: exactly one 201, 63 × 409', async () => {
    const backend = await tempDisk();
    try {
      served = await serve(backend);
      const headers = { ...bearer(served.adminToken), 'content-type': 'application/octet-stream' };
      const answers = await Promise.all(
        Array.from({ length: 64 }, (_, index) =>
          raw(served?.url as string, 'POST', '/v1/entries?name=race.sql&dataType=schema&subpath=db', {
            headers,
            body: `-- writer ${index}\n`,
          }),
        ),
      );
      const statuses = answers.map((answer) => answer.status);
      expect(statuses.filter((status) => status === 201)).toHaveLength(1);
      expect(statuses.filter((status) => status === 409)).toHaveLength(63);
      for (const answer of answers.filter((candidate) => candidate.status === 409))
        expect(answer.json().code).toBe('CONFLICT');
      const winner = answers.find((answer) => answer.status === 201)?.json();
      const stored = await served.lake.retrieveByPath('schema/db/race.sql');
      expect(stored.id).toBe(winner.id);
      expect(stored.content).toMatch(/^-- writer \d+\n$/);
      expect((await served.lake.getStats()).totalEntries).toBe(1);
    } finally {
      await served?.close();
      served = undefined;
      await removeDisk(backend);
    }
  });

  it('a client that disconnects mid-upload leaves no entry', async () => {
    served = await serve(new MemoryBackend());
    const url = new URL(served.url);
    const outgoing = request({
      host: url.hostname,
      port: url.port,
      method: 'POST',
      path: '/v1/entries?name=half.bin&dataType=other',
      headers: {
        ...bearer(served.adminToken),
        'content-type': 'application/octet-stream',
        'content-length': String(1024 * 1024),
      },
      agent: false,
    });
    outgoing.on('error', () => {});
    outgoing.write(Buffer.alloc(256 * 1024, 1));
    await sleep(200);
    outgoing.destroy();
    // Once the lake has given up on the upload, the path is free again and nothing was listed.
    const client = served.client();
    await eventually(async () => {
      try {
        await client.store({ name: 'half.bin', content: 'whole', dataType: DataType.OTHER });
        return true;
      } catch (error) {
        if ((error as { code?: string }).code === 'CONFLICT') return false;
        throw error;
      }
    }, 'the path of the abandoned upload is free');
    const entries = await served.lake.list();
    expect(entries.map((entry) => [entry.filePath, entry.size])).toEqual([['other/half.bin', 5]]);
  });

  it('close() lets a request in flight finish, and refuses new ones', async () => {
    served = await serve(new MemoryBackend());
    const client = served.client();
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    async function* slowBody() {
      yield new TextEncoder().encode('first half, ');
      await gate;
      yield new TextEncoder().encode('second half');
    }
    const storing = client.store({ name: 'slow.txt', content: slowBody(), dataType: DataType.DOCUMENTATION });
    await sleep(200);
    const closing = served.server.close();
    await sleep(100);
    expect((await raw(served.url, 'GET', '/readyz').catch(() => ({ status: 503 }))).status).toBe(503);
    release();
    const entry = await storing;
    await closing;
    expect((await served.lake.retrieve(entry.id)).content).toBe('first half, second half');
    await expect(fetch(`${served.url}/healthz`)).rejects.toThrow();
  });
});
