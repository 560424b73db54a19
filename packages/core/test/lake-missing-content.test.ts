import { ConflictError, CorruptDataError, collectBody, DataType, NotFoundError } from '@datalake/model';
import type { SearchOptions } from '@datalake/search';
import { describe, expect, it } from 'vitest';
import { DataLake } from '../src/lake/data-lake.js';
import { MapBackend } from './support/map-backend.js';

async function lakeWithThree(search: 'index' | 'scan' = 'index') {
  const backend = new MapBackend();
  const notices: string[] = [];
  const lake = await DataLake.open(backend, {
    keepBackendOpen: true,
    search,
    onNotice: (message) => notices.push(message),
  });
  const a = await lake.store({ name: 'a.sql', dataType: DataType.SCHEMA, content: 'create table alpha;\n' });
  const b = await lake.store({ name: 'b.sql', dataType: DataType.SCHEMA, content: 'create table beta;\n' });
  const c = await lake.store({ name: 'c.sql', dataType: DataType.SCHEMA, content: 'create table gamma;\n' });
  return { backend, notices, lake, a, b, c };
}

describe('an entry whose content file was removed by hand', () => {
  it('reads as CorruptDataError "content … is missing", not as a concurrent delete', async () => {
    const { backend, lake, b } = await lakeWithThree();
    await backend.delete(b.filePath);
    for (const read of [() => lake.retrieve(b.id), () => lake.readBytes(b.id), () => lake.readStream(b.id)]) {
      const error = await read().then(
        () => undefined,
        (thrown: unknown) => thrown,
      );
      expect(error).toBeInstanceOf(CorruptDataError);
      expect((error as CorruptDataError).message).toBe(
        `content of entry ${b.id} at "schema/b.sql" is missing`,
      );
      expect((error as CorruptDataError).details).toMatchObject({ id: b.id, filePath: 'schema/b.sql' });
    }
    await lake.close();
  });

  it('still tells a genuine concurrent delete apart', async () => {
    const { backend, lake, b } = await lakeWithThree();
    const other = await DataLake.open(backend, { keepBackendOpen: true, onNotice: () => {} });
    expect(await other.delete(b.id)).toBe(true);
    // `lake` still has the entry in its catalog; its record is gone now.
    const streamed = await lake.readStream(b.id).catch((error: unknown) => error);
    expect(streamed).toBeInstanceOf(ConflictError);
    expect((streamed as Error).message).toMatch(/deleted concurrently/);
    await expect(lake.retrieve(b.id)).rejects.toThrow(NotFoundError);
    await other.close();
    await lake.close();
  });

  it('is skipped by every kind of search, with one notice, and listed in the answer', async () => {
    for (const search of ['index', 'scan'] as const) {
      const { backend, notices, lake, a, b, c } = await lakeWithThree(search);
      await backend.delete(b.filePath);
      for (const [query, options] of [
        ['create table', {}],
        ['create\\s+table', { mode: 'regex' }],
        ['create table', { mode: 'words' }],
      ] as Array<[string, SearchOptions]>) {
        notices.length = 0;
        const result = await lake.search(query, options);
        expect(result.hits.map((hit) => hit.entry.id).sort()).toEqual([a.id, c.id].sort());
        expect(result.skipped).toEqual([
          {
            id: b.id,
            filePath: 'schema/b.sql',
            code: 'CORRUPT',
            message: `content of entry ${b.id} at "schema/b.sql" is missing`,
          },
        ]);
        expect(notices).toEqual([
          `search skipped schema/b.sql (entry ${b.id}): content of entry ${b.id} at "schema/b.sql" is missing`,
        ]);
      }
      await lake.close();
    }
  });

  it('is skipped by a search when its bytes were changed by hand', async () => {
    const { backend, lake, a, b } = await lakeWithThree();
    const object = await backend.get(b.filePath);
    const bytes = await collectBody((object as NonNullable<typeof object>).body);
    await backend.put(b.filePath, new TextEncoder().encode(Buffer.from(bytes).toString().toUpperCase()));
    const result = await lake.search('table alpha|table beta', { mode: 'regex', caseSensitive: false });
    expect(result.hits.map((hit) => hit.entry.id)).toEqual([a.id]);
    expect(result.skipped?.map((skipped) => [skipped.id, skipped.code])).toEqual([[b.id, 'CORRUPT']]);
    await lake.close();
  });

  it('does not stop a lake from opening when its index must be built again', async () => {
    const { backend, notices, lake, a, b } = await lakeWithThree();
    await lake.close();
    await backend.delete(b.filePath);
    for (const object of (await backend.list('.index/')).objects) await backend.delete(object.key);
    const reopened = await DataLake.open(backend, {
      keepBackendOpen: true,
      onNotice: (m) => notices.push(m),
    });
    const failed = await reopened.notIndexed();
    expect(failed.map((item) => [item.id, item.reason])).toEqual([[b.id, 'failed']]);
    expect(failed[0]?.detail).toMatch(/could not be read: .* is missing/);
    expect((await reopened.search('alpha')).hits.map((hit) => hit.entry.id)).toEqual([a.id]);
    await reopened.close();
  });
});
