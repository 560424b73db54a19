import type { Entry } from '@datalake/model';
import { describe, expect, it } from 'vitest';
import { Catalog } from '../src/lake/catalog.js';

function entry(id: string, filePath: string, size = 1, updatedAt: string | null = null): Entry {
  const [dataType, ...rest] = filePath.split('/');
  return {
    id,
    name: rest.at(-1) as string,
    dataType: dataType as Entry['dataType'],
    metadata: {},
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt,
    filePath,
    subpath: rest.slice(0, -1).join('/'),
    size,
    sha256: 'x',
  };
}

describe('Catalog', () => {
  it('lists folders directly or recursively and prunes empty folders', () => {
    const catalog = new Catalog();
    catalog.set(entry('1', 'macro/finance/2023/a.vba'), 'e1');
    catalog.set(entry('2', 'macro/finance/b.vba'), 'e2');
    catalog.set(entry('3', 'macro/c.vba'), 'e3');
    const ids = (folder: string, recursive: boolean) =>
      [...catalog.inFolder(folder, recursive)].map((e) => e.id).sort();
    expect(ids('macro', true)).toEqual(['1', '2', '3']);
    expect(ids('macro', false)).toEqual(['3']);
    expect(ids('macro/finance', false)).toEqual(['2']);
    catalog.delete('1');
    expect(ids('macro/finance/2023', true)).toEqual([]);
    expect(catalog.nestingConflict('macro/finance/2023')).toBeUndefined();
  });

  it('keeps stats current through replace and delete', () => {
    const catalog = new Catalog();
    catalog.set(entry('1', 'logs/a.log', 10), 'e1');
    catalog.set(entry('2', 'schema/b.sql', 5), 'e2');
    catalog.set(entry('1', 'logs/a.log', 20, '2026-02-01T00:00:00.000Z'), 'e1b');
    expect(catalog.stats()).toMatchObject({
      totalEntries: 2,
      totalSizeBytes: 25,
      updatedEntries: 1,
      createdEntries: 1,
    });
    expect(catalog.stats().entriesByType).toMatchObject({ logs: 1, schema: 1, macro: 0 });
    catalog.delete('2');
    expect(catalog.stats()).toMatchObject({
      totalEntries: 1,
      totalSizeBytes: 20,
      updatedEntries: 1,
      createdEntries: 0,
    });
  });

  it('knows a path cannot be both a file and a folder', () => {
    const catalog = new Catalog();
    catalog.set(entry('1', 'macro/finance'), 'e1');
    catalog.set(entry('2', 'schema/db/x.sql'), 'e2');
    expect(catalog.nestingConflict('macro/finance/x.vba')).toContain('is an entry');
    expect(catalog.nestingConflict('schema/db')).toContain('folder');
    expect(catalog.nestingConflict('schema/dbx')).toBeUndefined();
  });
});

describe('SortedEntries', () => {
  it('answers prefix queries like a sorted filter, through any mix of adds, removes and reads, whatever the recent-additions limit (property)', async () => {
    const { SortedEntries } = await import('../src/lake/sorted-entries.js');
    const fc = (await import('fast-check')).default;
    const segment = fc.constantFrom('a', 'b', 'ab', 'é', 'z');
    const path = fc.array(segment, { minLength: 2, maxLength: 4 }).map((parts) => `macro/${parts.join('/')}`);
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.boolean(), path, fc.boolean()), { maxLength: 150 }),
        fc.array(segment, { maxLength: 2 }),
        fc.boolean(),
        fc.option(fc.integer({ min: 0, max: 6 }), { nil: undefined }),
        (operations, prefixParts, direct, recentLimit) => {
          const sorted = new SortedEntries(recentLimit);
          const live = new Map<string, Entry>();
          let serial = 0;
          for (const [add, filePath, query] of operations) {
            const existing = live.get(filePath);
            if (existing) {
              sorted.remove(existing);
              live.delete(filePath);
            }
            if (add) {
              const fresh = entry(String(serial++), filePath);
              sorted.add(fresh);
              live.set(filePath, fresh);
            }
            if (query) sorted.withPrefix('macro/', false);
          }
          const prefix = ['macro', ...prefixParts, ''].join('/');
          const expected = [...live.values()]
            .filter(
              (e) =>
                e.filePath.startsWith(prefix) && (!direct || !e.filePath.slice(prefix.length).includes('/')),
            )
            .map((e) => e.filePath)
            .sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
          expect(sorted.withPrefix(prefix, direct).map((e) => e.filePath)).toEqual(expected);
          expect(sorted.all().map((e) => e.filePath)).toEqual(
            [...live.values()].map((e) => e.filePath).sort((x, y) => (x < y ? -1 : x > y ? 1 : 0)),
          );
        },
      ),
    );
  });
});
