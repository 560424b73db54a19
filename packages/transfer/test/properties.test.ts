import { join } from 'node:path';
import { DATA_TYPES, type Entry, type JsonValue, type Lake, sameJson } from '@datalake/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareEntries, copyLake, restoreBackup, verifyBackup } from '../src/index.js';
import { backupToFile, contentsOf, openMemoryLake, useScratch } from './support/lakes.js';

const scratch = useScratch('properties');

const segment = fc
  .stringMatching(/^[a-zA-Z0-9][a-zA-Z0-9 ._-]{0,11}$/)
  .filter((name) => !name.endsWith('.') && !name.endsWith(' '));
const json: fc.Arbitrary<JsonValue> = fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<JsonValue>;
const entryArbitrary = fc.record({
  dataType: fc.constantFrom(...DATA_TYPES),
  subpath: fc.array(segment, { maxLength: 2 }).map((parts) => parts.join('/')),
  name: segment,
  content: fc.oneof(
    fc.uint8Array({ maxLength: 3000 }),
    fc.constantFrom(new Uint8Array(), new TextEncoder().encode('shared')),
  ),
  metadata: fc.dictionary(fc.string({ maxLength: 8 }), json, { maxKeys: 3 }),
});

type StoreSpec = typeof entryArbitrary extends fc.Arbitrary<infer T> ? T : never;

async function storeAll(lake: Lake, entries: readonly StoreSpec[]): Promise<void> {
  for (const entry of entries) {
    try {
      await lake.store(entry);
    } catch {
      // A path taken twice (or a folder where a file is): the lake keeps the first; so does the test.
    }
  }
}

describe('properties', () => {
  it('a backup restores to a lake that holds exactly what the source held', async () => {
    const folder = await scratch();
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(entryArbitrary, { maxLength: 12 }), fc.boolean(), async (entries, gzip) => {
        const source = await openMemoryLake();
        await storeAll(source, entries);
        const file = join(folder, `run-${run++}.tar`);
        await backupToFile(source, file, { gzip });
        expect((await verifyBackup(file, { against: source })).against?.matches).toBe(true);
        const target = await openMemoryLake();
        await restoreBackup(file, target);
        expect(await contentsOf(target)).toEqual(await contentsOf(source));
        expect((await restoreBackup(file, target)).created).toEqual([]);
      }),
      { numRuns: 25 },
    );
  });

  it('a copy makes the target hold what the source holds; a second copy changes nothing', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(entryArbitrary, { maxLength: 10 }),
        fc.array(entryArbitrary, { maxLength: 6 }),
        async (wanted, present) => {
          const source = await openMemoryLake();
          await storeAll(source, wanted);
          const target = await openMemoryLake();
          await storeAll(target, present);
          await copyLake(source, target, { prune: true });
          expect(await contentsOf(target)).toEqual(await contentsOf(source));
          const again = await copyLake(source, target, { prune: true });
          expect(again).toMatchObject({ created: 0, updated: 0, pruned: 0 });
        },
      ),
      { numRuns: 25 },
    );
  });

  it('comparison puts every path in exactly one class', () => {
    fc.assert(
      fc.property(fc.array(json), fc.array(json), (a, b) => {
        expect(sameJson(a, b)).toBe(sameJson(b, a));
        expect(sameJson(a, a)).toBe(true);
      }),
    );
    const entry = (filePath: string, sha256: string) =>
      ({ id: filePath, filePath, sha256, size: 1, metadata: {} }) as unknown as Entry;
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.nat(20)),
        fc.uniqueArray(fc.nat(20)),
        fc.nat(3),
        (wanted, present, salt) => {
          const result = compareEntries(
            wanted.map((n) => entry(`p/${n}`, String(n))),
            present.map((n) => entry(`p/${n}`, String(n % (salt + 1) === 0 ? n : -n))),
          );
          const classified = result.missing.length + result.same.length + result.differing.length;
          expect(classified).toBe(wanted.length);
          expect(result.extra.length).toBe(present.filter((n) => !wanted.includes(n)).length);
        },
      ),
    );
  });
});
