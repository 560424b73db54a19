import { compareKeys, type ListedObject } from '@datalake/core';
import { describeEachS3Server } from '@datalake/s3-test-servers/vitest';
import { expect, it } from 'vitest';
import type { S3Backend } from '../src/index.js';
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
  const backend = bucket.backend({ maxConcurrency: 32 });
  const keyOf = (i: number) => `group-${i % 7}/entry-${i.toString().padStart(5, '0')}.txt`;

  it(`stores ${ENTRIES} objects started all at once without exhausting sockets`, async () => {
    const results = await Promise.all(
      Array.from({ length: ENTRIES }, (_, i) => backend.put(keyOf(i), text(`entry ${i}`))),
    );
    expect(results).toHaveLength(ENTRIES);
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
