import { compareKeys, type ListedObject } from '@datalake/core';
import { describeEachS3Server } from '@datalake/s3-test-servers/vitest';
import { afterAll, expect, it } from 'vitest';
import { createS3Client } from '../src/client.js';
import type { S3Backend } from '../src/index.js';
import { resolveTuning } from '../src/options.js';
import { text } from './support/bodies.js';
import { useTestBucket } from './support/test-bucket.js';

const ENTRIES = 10_000;

async function listAll(backend: S3Backend, prefix: string, delimiter?: string) {
  const objects: ListedObject[] = [];
  const prefixes: string[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const page = await backend.list(prefix, { cursor, ...(delimiter ? { delimiter } : {}) });
    objects.push(...page.objects);
    prefixes.push(...page.prefixes);
    cursor = page.cursor;
    pages++;
  } while (cursor);
  return { objects, prefixes, pages };
}

describeEachS3Server('S3Backend listing and concurrency', (server) => {
  const bucket = useTestBucket(server, 'listing');
  const MAX_CONCURRENCY = 32;
  // What the test proves is a bound, not a speed: requests on the wire never exceed the backend's
  // limit, however many stores wait. A loaded machine may be slow, so no request may time out for
  // slowness here (generous socket and connect timeouts); the test timeout only guards a hang.
  const connection = {
    bucket: bucket.bucket,
    endpoint: server.endpoint,
    region: server.region,
    credentials: server.credentials,
  };
  const client = createS3Client(
    connection,
    resolveTuning({
      ...connection,
      maxConcurrency: MAX_CONCURRENCY,
      socketTimeoutMs: 600_000,
      connectTimeoutMs: 60_000,
    }),
  );
  let inFlight = 0;
  let mostInFlight = 0;
  client.middlewareStack.add(
    (next) => async (args) => {
      mostInFlight = Math.max(mostInFlight, ++inFlight);
      try {
        return await next(args);
      } finally {
        inFlight--;
      }
    },
    { step: 'deserialize', name: 'countRequestsInFlight' },
  );
  afterAll(() => client.destroy());
  const backend = bucket.backend({ client, maxConcurrency: MAX_CONCURRENCY });
  const keyOf = (i: number) => `group-${i % 7}/entry-${i.toString().padStart(5, '0')}.txt`;

  it(`stores ${ENTRIES} objects started all at once, never more than ${MAX_CONCURRENCY} requests in flight`, async () => {
    const results = await Promise.all(
      Array.from({ length: ENTRIES }, (_, i) => backend.put(keyOf(i), text(`entry ${i}`))),
    );
    expect(results).toHaveLength(ENTRIES);
    expect(mostInFlight).toBeGreaterThan(1);
    expect(mostInFlight).toBeLessThanOrEqual(MAX_CONCURRENCY);
  }, 1_800_000);

  it('follows continuation cursors through every page, in key order', async () => {
    const { objects, pages } = await listAll(backend, '');
    expect(pages).toBeGreaterThanOrEqual(10);
    expect(objects).toHaveLength(ENTRIES);
    const keys = objects.map((object) => object.key);
    expect(keys).toEqual([...keys].sort(compareKeys));
    expect(new Set(keys)).toEqual(new Set(Array.from({ length: ENTRIES }, (_, i) => keyOf(i))));
  });

  it('groups by delimiter and lists one group across pages with a small limit', async () => {
    const grouped = await listAll(backend, '', '/');
    expect(grouped.objects).toEqual([]);
    expect(grouped.prefixes).toEqual(Array.from({ length: 7 }, (_, i) => `group-${i}/`));
    const pageSizes: number[] = [];
    let cursor: string | undefined;
    let total = 0;
    do {
      const page = await backend.list('group-3/', { cursor, limit: 500 });
      pageSizes.push(page.objects.length);
      total += page.objects.length;
      cursor = page.cursor;
    } while (cursor);
    expect(total).toBe(Math.ceil((ENTRIES - 3) / 7));
    expect(Math.max(...pageSizes)).toBeLessThanOrEqual(500);
  });

  it('lists under prefixes ending in a "." or ".." segment, page by page (MinIO refuses to take them as they are)', async () => {
    const dots = bucket.backend();
    const keys = ['dots/-a', 'dots/. x', 'dots/..x', 'dots/.b/c', 'dots/.env', 'dots/a', 'dots/z', 'other'];
    for (const key of keys) await dots.put(key, text(key));
    const pages = async (prefix: string, delimiter?: string) => {
      const objects: string[] = [];
      const prefixes: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await dots.list(prefix, { cursor, limit: 1, ...(delimiter ? { delimiter } : {}) });
        objects.push(...page.objects.map((object) => object.key));
        prefixes.push(...page.prefixes);
        cursor = page.cursor;
      } while (cursor);
      return { objects, prefixes };
    };
    expect(await pages('dots/.')).toEqual({
      objects: ['dots/. x', 'dots/..x', 'dots/.b/c', 'dots/.env'],
      prefixes: [],
    });
    expect(await pages('dots/..')).toEqual({ objects: ['dots/..x'], prefixes: [] });
    expect(await pages('dots/.', '/')).toEqual({
      objects: ['dots/. x', 'dots/..x', 'dots/.env'],
      prefixes: ['dots/.b/'],
    });
  });
});
