import { DataType, isReservedKey, RESERVED_PREFIXES, ValidationError } from '@datalake/model';
import { describe, expect, it } from 'vitest';
import { DataLake } from '../src/lake/data-lake.js';
import { parseContentPath } from '../src/lake/paths.js';
import { MapBackend } from './support/map-backend.js';

async function allKeys(backend: MapBackend): Promise<string[]> {
  const keys: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await backend.list('', cursor ? { cursor } : {});
    keys.push(...page.objects.map((object) => object.key));
    cursor = page.cursor;
  } while (cursor);
  return keys;
}

describe('the reserved prefixes of the layout', () => {
  it('are refused as the folder of a user path', async () => {
    const backend = new MapBackend();
    const lake = await DataLake.open(backend, { keepBackendOpen: true, onNotice: () => {} });
    try {
      for (const prefix of RESERVED_PREFIXES) {
        const folder = prefix.slice(0, -1);
        const store = lake.store({ dataType: folder as DataType, name: 'x.json', content: '{}' });
        await expect(store, prefix).rejects.toBeInstanceOf(ValidationError);
        expect(parseContentPath(`${prefix}x.json`), prefix).toBeUndefined();
        await expect(lake.getEntryByPath(`${prefix}x.json`), prefix).rejects.toMatchObject({
          code: 'NOT_FOUND',
        });
        expect(await lake.list({ subpath: folder }), prefix).toEqual([]);
      }
      expect((await lake.getStats()).totalEntries).toBe(0);
    } finally {
      await lake.close();
    }
  });

  it('hold every key the lake writes that is not an entry content', async () => {
    const backend = new MapBackend();
    const lake = await DataLake.open(backend, { keepBackendOpen: true, onNotice: () => {} });
    const kept = await lake.store({
      dataType: DataType.SCHEMA,
      subpath: 'a',
      name: 'kept.sql',
      content: 'v1',
    });
    await lake.update(kept.id, { content: 'v2', metadata: { owner: 'x' } });
    await lake.setCompression({ codec: 'gzip' });
    const gone = await lake.store({
      dataType: DataType.DOCUMENTATION,
      name: 'gone.txt',
      content: 'bye'.repeat(500),
    });
    await lake.delete(gone.id);
    await lake.retention.setLegalHold(kept.id, { reason: 'audit' });
    await lake.fsck({ repair: true });
    await lake.close();
    const keys = await allKeys(backend);
    const bookkeeping = keys.filter((key) => parseContentPath(key) === undefined);
    const used = new Set(
      RESERVED_PREFIXES.filter((prefix) => bookkeeping.some((key) => key.startsWith(prefix))),
    );
    for (const prefix of ['.metadata/', '.claims/', '.catalog/', '.index/', '.versions/', '.settings/'])
      expect(used.has(prefix), `the lake wrote nothing under ${prefix}`).toBe(true);
    for (const key of bookkeeping) expect(isReservedKey(key), key).toBe(true);
    for (const key of keys.filter((key) => parseContentPath(key) !== undefined))
      expect(isReservedKey(key), key).toBe(false);
  });
});
