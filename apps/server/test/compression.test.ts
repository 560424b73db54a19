import { MemoryBackend } from '@datalake/backend-memory';
import { DataType, type Entry } from '@datalake/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, raw } from './support/http.js';
import { type Served, serve } from './support/served.js';

const TEXT = Array.from({ length: 4000 }, (_, i) => `2024-01-01 12:00:${i % 60} INFO job ${i} done\n`).join(
  '',
);
let served: Served;
let admin: Record<string, string>;
let entry: Entry;

beforeAll(async () => {
  served = await serve(new MemoryBackend());
  admin = bearer(served.adminToken);
  await served.lake.setCompression({ codec: 'gzip', minBytes: 1024 });
  entry = await served.client().store({
    name: 'job.log',
    content: TEXT,
    dataType: DataType.LOGS,
    subpath: 'batch',
  });
});
afterAll(() => served.close());

describe('compressed content over HTTP', () => {
  it('the entry says how it is stored, and reads give the original bytes', async () => {
    expect(entry.stored?.codec).toBe('gzip');
    expect(entry.stored?.size).toBeLessThan(TEXT.length / 3);
    expect(entry.size).toBe(TEXT.length);
    const answer = await raw(served.url, 'GET', `/v1/entries/${entry.id}/content`, { headers: admin });
    expect(answer.status).toBe(200);
    expect(answer.body.toString()).toBe(TEXT);
    expect(answer.headers['content-length']).toBe(String(TEXT.length));
  });

  it('Range answers with the original bytes at those offsets', async () => {
    for (const [start, end] of [
      [0, 9],
      [5000, 5099],
      [TEXT.length - 7, TEXT.length - 1],
    ] as const) {
      const answer = await raw(served.url, 'GET', `/v1/entries/${entry.id}/content`, {
        headers: { ...admin, range: `bytes=${start}-${end}` },
      });
      expect(answer.status).toBe(206);
      expect(answer.body.toString()).toBe(TEXT.slice(start, end + 1));
      expect(answer.headers['content-range']).toBe(`bytes ${start}-${end}/${TEXT.length}`);
    }
  });

  it('stats count stored and original bytes', async () => {
    const stats = await served.client().getStats();
    expect(stats.originalSizeBytes).toBe(TEXT.length);
    expect(stats.storedSizeBytes).toBe(entry.stored?.size);
  });
});
