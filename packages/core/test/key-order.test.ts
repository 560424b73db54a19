import type { Entry } from '@datalake/model';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SortedEntries } from '../src/lake/sorted-entries.js';

const PIECES = ['a', 'Z', '0', '-', '/', 'é', '中', '\ue000', '\ufffd', '😀', '𝄞'];
const path = fc
  .array(fc.constantFrom(...PIECES), { minLength: 1, maxLength: 6 })
  .map((p) => `other/${p.join('')}`);
const entryAt = (filePath: string) => ({ id: filePath, filePath }) as Entry;
const byBytes = (paths: string[]) =>
  [...paths].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));

describe("the catalog's path order", () => {
  it('is UTF-8 byte order, the order of backend listings and of search hits (property)', () => {
    fc.assert(
      fc.property(fc.uniqueArray(path, { maxLength: 40 }), fc.nat(), (paths, split) => {
        const sorted = new SortedEntries();
        const at = paths.length === 0 ? 0 : split % paths.length;
        for (const p of paths.slice(0, at)) sorted.add(entryAt(p));
        sorted.all();
        for (const p of paths.slice(at)) sorted.add(entryAt(p));
        expect(sorted.all().map((entry) => entry.filePath)).toEqual(byBytes(paths));
        const prefix = paths[0]?.slice(0, 8) ?? 'other/';
        expect(sorted.withPrefix(prefix, false).map((entry) => entry.filePath)).toEqual(
          byBytes(paths.filter((p) => p.startsWith(prefix))),
        );
      }),
    );
  });
});
