import type { ListedObject } from '@datalake/model';
import { compareKeys, ValidationError } from '@datalake/model';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeCursor, pageFromSortedObjects } from '../src/backend/list-page.js';

const objects = (keys: string[]): ListedObject[] =>
  [...new Set(keys)].sort(compareKeys).map((key) => ({ key, size: 0, etag: key, lastModified: new Date(0) }));

describe('pageFromSortedObjects', () => {
  const sorted = objects(['a/1', 'a/2', 'a/b/1', 'a/b/2', 'a/c/1', 'b/1', 'ab']);

  it('groups by delimiter', () => {
    const page = pageFromSortedObjects(sorted, 'a/', { delimiter: '/' });
    expect(page.objects.map((o) => o.key)).toEqual(['a/1', 'a/2']);
    expect(page.prefixes).toEqual(['a/b/', 'a/c/']);
    expect(page.cursor).toBeUndefined();
  });

  it('rejects a forged cursor', () => {
    expect(() => pageFromSortedObjects(sorted, '', { cursor: '***' })).toThrow(ValidationError);
    expect(() => decodeCursor('')).toThrow(ValidationError);
  });

  it('pages through everything exactly once, in order, with or without a delimiter (property)', () => {
    const segment = fc.constantFrom('a', 'b', 'é', '😀', 'x y', '%', '+');
    fc.assert(
      fc.property(
        fc.array(
          fc.array(segment, { minLength: 1, maxLength: 3 }).map((s) => s.join('/')),
          { maxLength: 40 },
        ),
        fc.integer({ min: 1, max: 5 }),
        fc.boolean(),
        (keys, limit, grouped) => {
          const all = objects(keys);
          const seen: string[] = [];
          let cursor: string | undefined;
          for (let pages = 0; pages < 100; pages++) {
            const page = pageFromSortedObjects(all, '', {
              limit,
              cursor,
              delimiter: grouped ? '/' : undefined,
            });
            expect(page.objects.length + page.prefixes.length).toBeLessThanOrEqual(limit);
            seen.push(...page.objects.map((o) => o.key), ...page.prefixes);
            cursor = page.cursor;
            if (!cursor) break;
          }
          expect(cursor).toBeUndefined();
          const expected = grouped
            ? [...new Set(all.map((o) => (o.key.includes('/') ? `${o.key.split('/')[0]}/` : o.key)))]
            : all.map((o) => o.key);
          expect([...seen].sort(compareKeys)).toEqual([...expected].sort(compareKeys));
          expect(new Set(seen).size).toBe(seen.length);
        },
      ),
    );
  });
});
