import type { Entry } from '@datalake/model';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Catalog, folderOf } from '../src/lake/catalog.js';

const TYPES = ['macro', 'schema'] as const;
const SUBPATHS = ['', 'a', 'a/b', 'a/b/c', 'a b', 'ab', 'x/y'];

function entry(id: string, dataType: string, subpath: string, size: number, updated: boolean): Entry {
  const name = `${id}.txt`;
  return {
    id,
    name,
    dataType: dataType as Entry['dataType'],
    metadata: {},
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: updated ? '2026-01-02T00:00:00.000Z' : null,
    filePath: [dataType, subpath, name].filter((part) => part !== '').join('/'),
    subpath,
    size,
    sha256: 'x',
    ...(size % 3 === 0 ? { stored: { codec: 'gzip', size: Math.floor(size / 2) } } : {}),
  } as Entry;
}

const operation = fc.oneof(
  fc.record({
    kind: fc.constant('set' as const),
    id: fc.integer({ min: 0, max: 12 }),
    dataType: fc.constantFrom(...TYPES),
    subpath: fc.constantFrom(...SUBPATHS),
    size: fc.integer({ min: 0, max: 1000 }),
    updated: fc.boolean(),
  }),
  fc.record({ kind: fc.constant('delete' as const), id: fc.integer({ min: 0, max: 12 }) }),
);

/** Every folder path that holds `entry`: its type folder and each folder down to its own. */
function foldersHolding(entry: Entry): string[] {
  const segments = entry.subpath === '' ? [] : entry.subpath.split('/');
  return segments
    .map((_, end) => `${entry.dataType}/${segments.slice(0, end + 1).join('/')}`)
    .concat(entry.dataType);
}

describe('folder totals', () => {
  it('property: after any stores, replacements and deletes, each folder totals exactly the entries below it', () => {
    fc.assert(
      fc.property(fc.array(operation, { maxLength: 60 }), (operations) => {
        const catalog = new Catalog();
        for (const op of operations) {
          if (op.kind === 'set')
            catalog.set(entry(String(op.id), op.dataType, op.subpath, op.size, op.updated), 'etag');
          else catalog.delete(String(op.id));
        }
        const entries = [...catalog.entries()];
        const every = new Set(entries.flatMap(foldersHolding));
        const candidates = TYPES.flatMap((type) => [
          type,
          ...SUBPATHS.map((subpath) => `${type}/${subpath}`),
        ]);
        for (const folder of new Set([...candidates, ...every])) {
          const below = entries.filter((item) => foldersHolding(item).includes(folder));
          const totals = catalog.folderTotals.get(folder);
          if (below.length === 0) {
            expect(totals).toBeUndefined();
            continue;
          }
          expect(totals?.entries).toBe(below.length);
          expect(totals?.sizeBytes).toBe(below.reduce((sum, item) => sum + item.size, 0));
          expect(totals?.storedBytes).toBe(
            below.reduce((sum, item) => sum + (item.stored?.size ?? item.size), 0),
          );
          expect(totals?.updated).toBe(below.filter((item) => item.updatedAt !== null).length);
          const children = new Set(
            below
              .filter((item) => folderOf(item) !== folder)
              .map(
                (item) =>
                  folderOf(item)
                    .slice(folder.length + 1)
                    .split('/')[0] as string,
              ),
          );
          expect([...(totals?.children ?? [])].sort()).toEqual([...children].sort());
        }
      }),
      { numRuns: 300 },
    );
  });
});
