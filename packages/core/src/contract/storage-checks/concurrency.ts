import { patternBytes, readBody, sha256Hex, streamOf } from '../support/bytes.js';
import { expect } from '../support/expect.js';
import { listKeys, sortedKeys } from '../support/listing.js';
import { type ContractCheck, defineCheck } from '../types.js';

const GROUP = 'storage: concurrency';
const COUNT = 48;

export const concurrencyChecks: ContractCheck[] = [
  defineCheck(GROUP, 'many concurrent operations on different keys all take effect', async ({ backend }) => {
    const keys = Array.from({ length: COUNT }, (_, index) => `conc/${index % 6}/${index}.bin`);
    const bodies = keys.map((_, index) => patternBytes(1000 + index * 97, 300 + index));
    await Promise.all(
      keys.map((key, index) => {
        const body = bodies[index] as Uint8Array;
        return backend.put(key, index % 2 === 0 ? body : streamOf(body, 333));
      }),
    );
    const digests = await Promise.all(
      keys.map(async (key) => {
        const got = await backend.get(key);
        return got ? sha256Hex(await readBody(got.body)) : 'missing';
      }),
    );
    expect(digests).toEqual(bodies.map((body) => sha256Hex(body)));

    const replaced = bodies.map((_, index) => patternBytes(500 + index, 900 + index));
    const deleted = keys.filter((_, index) => index % 3 === 0);
    const [, deletions] = await Promise.all([
      Promise.all(
        keys.map((key, index) => (index % 3 === 1 ? backend.put(key, replaced[index] as Uint8Array) : null)),
      ),
      Promise.all(deleted.map((key) => backend.delete(key))),
    ]);
    expect(deletions.every((answer) => answer === true)).toBe(true);
    expect(await listKeys(backend, 'conc/')).toEqual(sortedKeys(keys.filter((_, index) => index % 3 !== 0)));
    const after = await Promise.all(
      keys.map(async (key) => {
        const got = await backend.get(key);
        return got ? sha256Hex(await readBody(got.body)) : null;
      }),
    );
    expect(after).toEqual(
      keys.map((_, index) =>
        index % 3 === 0 ? null : sha256Hex((index % 3 === 1 ? replaced[index] : bodies[index]) as Uint8Array),
      ),
    );
  }),

  defineCheck(GROUP, 'reads, heads and listings run concurrently with writes', async ({ backend }) => {
    const body = patternBytes(64 * 1024, 77);
    await backend.put('busy/stable.bin', body);
    const digest = sha256Hex(body);
    const work: Promise<unknown>[] = [];
    for (let index = 0; index < COUNT; index++) {
      work.push(backend.put(`busy/w${index}`, streamOf(patternBytes(2000, index), 500)));
      work.push(
        backend.get('busy/stable.bin').then(async (got) => {
          expect(got && sha256Hex(await readBody(got.body))).toBe(digest);
        }),
      );
      work.push(backend.head('busy/stable.bin').then((info) => expect(info?.size).toBe(body.byteLength)));
      work.push(
        backend.list('busy/', { limit: 5 }).then((page) => {
          expect(page.objects.length).toBeLessThanOrEqual(5);
          expect(page.objects.length).toBeGreaterThan(0);
        }),
      );
    }
    await Promise.all(work);
    expect(await listKeys(backend, 'busy/')).toHaveLength(COUNT + 1);
  }),
];
