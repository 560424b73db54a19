import type { StorageBackend } from '@datalake/model';
import fc from 'fast-check';
import { utf8 } from '../support/bytes.js';
import { expectErrorCode } from '../support/errors.js';
import { expect } from '../support/expect.js';
import { assertStrictlyAscending, listAll, listKeys, sortedKeys } from '../support/listing.js';
import { type ContractCheck, defineCheck } from '../types.js';

const GROUP = 'storage: listing';

/**
 * A small tree whose byte order differs from naive orders: '+' < '-' < '.' < '/' in ASCII,
 * and U+E000 < U+FFFD < U+1F600 by code point although UTF-16 sorts the emoji first.
 */
const TREE: readonly string[] = [
  'a.txt',
  'a/b.txt',
  'a/b/c.txt',
  'a/b/d.txt',
  'a/c.txt',
  'a-b.txt',
  'a+b.txt',
  'a b.txt',
  'b/x.txt',
  'b/y/z/deep.txt',
  'z/\u{e000}.txt',
  'z/\u{fffd}.txt',
  'z/\u{1f600}.txt',
  'z/Z.txt',
  'z/z.txt',
];

async function putAll(backend: StorageBackend, keys: readonly string[]): Promise<void> {
  for (const key of keys) await backend.put(key, utf8(key));
}

/** Enough keys that small limits need many pages: the tree plus a flat and a nested run. */
function manyKeys(): string[] {
  const flat = Array.from({ length: 24 }, (_, index) => `p/${String(index).padStart(3, '0')}.txt`);
  const nested = Array.from({ length: 12 }, (_, index) => `q/${index % 4}/${index}.txt`);
  return [...TREE, ...flat, ...nested];
}

/** Pieces of key names whose UTF-8 byte order differs from UTF-16 order and from naive orders. */
const ORDER_PIECES = ['a', 'Z', '0', '-', '+', '_', 'é', 'ß', '中', '\ue000', '\ufffd', '😀', '𝄞'];

/** The expected order, computed from the bytes themselves (not with `compareKeys`). */
function byUtf8Bytes(keys: readonly string[]): string[] {
  return [...keys].sort((a, b) => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8')));
}

export const listingChecks: ContractCheck[] = [
  defineCheck(GROUP, 'lists keys of any characters in UTF-8 byte order (property)', async ({ backend }) => {
    const name = fc
      .array(fc.constantFrom(...ORDER_PIECES), { minLength: 1, maxLength: 5 })
      .map((p) => p.join(''));
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.uniqueArray(name, { minLength: 1, maxLength: 10 }), async (names) => {
        const prefix = `order-${run++}/`;
        const keys = names.map((key) => `${prefix}${key}`);
        await putAll(backend, keys);
        expect(await listKeys(backend, prefix), `list(${JSON.stringify(prefix)})`).toEqual(byUtf8Bytes(keys));
      }),
      { numRuns: 12 },
    );
  }),

  defineCheck(GROUP, 'lists every key once, in UTF-8 byte order', async ({ backend }) => {
    await putAll(backend, [...TREE].reverse());
    const keys = await listKeys(backend);
    assertStrictlyAscending(keys, 'list("")');
    expect(keys).toEqual(sortedKeys(TREE));
  }),

  defineCheck(GROUP, 'a prefix selects exactly the keys that start with it', async ({ backend }) => {
    await putAll(backend, TREE);
    for (const prefix of ['a', 'a/', 'a/b', 'a/b/', 'b/y/', 'z/', 'z/z', 'nothing', 'a.t']) {
      const expected = sortedKeys(TREE.filter((key) => key.startsWith(prefix)));
      expect(await listKeys(backend, prefix), `list(${JSON.stringify(prefix)})`).toEqual(expected);
    }
    const empty = await backend.list('nothing/');
    expect(empty).toEqual({ objects: [], prefixes: [] });
  }),

  defineCheck(GROUP, 'a delimiter groups deeper keys into common prefixes', async ({ backend }) => {
    await putAll(backend, TREE);
    const expectations: Array<[string, string[], string[]]> = [
      ['', ['a b.txt', 'a+b.txt', 'a-b.txt', 'a.txt'], ['a/', 'b/', 'z/']],
      ['a/', ['a/b.txt', 'a/c.txt'], ['a/b/']],
      ['a/b', ['a/b.txt'], ['a/b/']],
      ['b/', ['b/x.txt'], ['b/y/']],
      ['b/y/', [], ['b/y/z/']],
      ['z/', sortedKeys(TREE.filter((key) => key.startsWith('z/'))), []],
    ];
    for (const [prefix, objects, prefixes] of expectations) {
      const listing = await listAll(backend, prefix, { delimiter: '/' });
      const what = `list(${JSON.stringify(prefix)}, delimiter '/')`;
      expect(
        listing.objects.map((object) => object.key),
        what,
      ).toEqual(objects);
      expect(listing.prefixes, what).toEqual(prefixes);
    }
  }),

  defineCheck(GROUP, 'pagination returns every key exactly once over several pages', async ({ backend }) => {
    const keys = manyKeys();
    await putAll(backend, keys);
    const expected = sortedKeys(keys);
    for (const limit of [1, 2, 3, 7, 1000]) {
      const listing = await listAll(backend, '', { limit }, Math.ceil(keys.length / limit) + 2);
      const listed = listing.objects.map((object) => object.key);
      assertStrictlyAscending(listed, `list("", limit ${limit})`);
      expect(listed, `list("", limit ${limit})`).toEqual(expected);
      if (limit < keys.length) expect(listing.pages).toBeGreaterThan(1);
    }
    const prefixed = await listAll(backend, 'p/', { limit: 5 }, 10);
    expect(prefixed.objects.map((object) => object.key)).toEqual(
      expected.filter((key) => key.startsWith('p/')),
    );
    expect(prefixed.pages).toBeGreaterThanOrEqual(5);
  }),

  defineCheck(
    GROUP,
    'pagination with a delimiter returns each object and common prefix once',
    async ({ backend }) => {
      const keys = manyKeys();
      await putAll(backend, keys);
      const full = await listAll(backend, '', { delimiter: '/' });
      expect(full.objects.map((object) => object.key)).toEqual(['a b.txt', 'a+b.txt', 'a-b.txt', 'a.txt']);
      expect(full.prefixes).toEqual(['a/', 'b/', 'p/', 'q/', 'z/']);
      for (const limit of [1, 2, 3]) {
        const paged = await listAll(backend, '', { delimiter: '/', limit }, Math.ceil(9 / limit) + 2);
        expect(paged.objects.map((object) => object.key)).toEqual(full.objects.map((object) => object.key));
        expect(paged.prefixes).toEqual(full.prefixes);
        assertStrictlyAscending(paged.prefixes, `prefixes with limit ${limit}`);
      }
      const nested = await listAll(backend, 'q/', { delimiter: '/', limit: 1 }, 6);
      expect(nested.prefixes).toEqual(['q/0/', 'q/1/', 'q/2/', 'q/3/']);
      expect(nested.objects).toEqual([]);
    },
  ),

  defineCheck(
    GROUP,
    'pagination stays exact while keys are added and removed between pages',
    async ({ backend }) => {
      const keys = Array.from({ length: 20 }, (_, index) => `m/${String(index * 2).padStart(3, '0')}`);
      await putAll(backend, keys);
      const first = await backend.list('m/', { limit: 5 });
      expect(first.objects.map((object) => object.key)).toEqual(keys.slice(0, 5));
      if (first.cursor === undefined) throw new Error('a page of 5 out of 20 keys carries no cursor');
      await backend.delete(keys[1] as string);
      await backend.put('m/001', utf8('before the cursor'));
      await backend.put('m/011', utf8('after the cursor'));
      await backend.delete(keys[6] as string);
      const rest = await backend.list('m/', { limit: 1000, cursor: first.cursor });
      const expectedRest = sortedKeys([...keys.slice(5).filter((key) => key !== keys[6]), 'm/011']);
      expect(rest.objects.map((object) => object.key)).toEqual(expectedRest);
    },
  ),

  defineCheck(
    GROUP,
    'startAfter lists only the keys after it, in order, and pages on with the cursor',
    async ({ backend }) => {
      const keys = Array.from({ length: 12 }, (_, index) => `s/${String(index).padStart(3, '0')}-x`);
      await putAll(backend, [...keys, 'r/before', 't/after']);
      const after = (startAfter: string) =>
        listAll(backend, 's/', { startAfter, limit: 5 }, 10).then((all) => all.objects.map((o) => o.key));
      expect(await after('s/004')).toEqual(keys.slice(4));
      expect(await after('s/004-x')).toEqual(keys.slice(5));
      expect(await after('a')).toEqual(keys);
      expect(await after('s/999')).toEqual([]);
      const first = await backend.list('s/', { startAfter: 's/002-x', limit: 3 });
      expect(first.objects.map((object) => object.key)).toEqual(keys.slice(3, 6));
      if (first.cursor === undefined) throw new Error('a page of 3 out of 9 keys carries no cursor');
      const next = await backend.list('s/', { startAfter: 's/002-x', cursor: first.cursor, limit: 3 });
      expect(next.objects.map((object) => object.key)).toEqual(keys.slice(6, 9));
    },
  ),

  defineCheck(GROUP, 'a limit that is not a positive integer is a validation error', async ({ backend }) => {
    for (const limit of [0, -1, 1.5]) {
      await expectErrorCode(() => backend.list('', { limit }), 'VALIDATION', `list limit ${limit}`);
    }
  }),
];
