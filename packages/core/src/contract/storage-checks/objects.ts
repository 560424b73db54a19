import {
  allByteValues,
  failingStreamOf,
  MiB,
  patternBytes,
  readBody,
  streamOf,
  utf8,
} from '../support/bytes.js';
import { expectErrorCode } from '../support/errors.js';
import { expect } from '../support/expect.js';
import { listKeys } from '../support/listing.js';
import { type ContractCheck, defineCheck } from '../types.js';
import { assertRoundTrip, assertStoredBytes } from './round-trip.js';

const GROUP = 'storage: objects';
const LARGE = 8 * MiB + 3;

export const objectChecks: ContractCheck[] = [
  defineCheck(GROUP, 'capabilities are declared as booleans', async ({ backend }) => {
    const { capabilities } = backend;
    expect(typeof backend.description).toBe('string');
    expect(typeof capabilities.atomicConditionalWrites).toBe('boolean');
    expect(typeof capabilities.atomicConditionalDeletes).toBe('boolean');
    expect(typeof capabilities.sharedAcrossProcesses).toBe('boolean');
    expect(typeof capabilities.persistent).toBe('boolean');
    for (const optional of ['objectMetadata', 'delimiterListing', 'ownCursors'] as const) {
      const value = capabilities[optional];
      if (value !== undefined) expect(typeof value, `capabilities.${optional}`).toBe('boolean');
    }
    if (capabilities.maxObjectBytes !== undefined) {
      expect(capabilities.maxObjectBytes).toBeGreaterThanOrEqual(LARGE);
    }
  }),

  defineCheck(GROUP, 'a fresh backend is empty', async ({ backend }) => {
    const page = await backend.list('');
    expect(page.objects).toEqual([]);
    expect(page.prefixes).toEqual([]);
    expect(page.cursor).toBeUndefined();
  }),

  defineCheck(GROUP, 'round-trips an empty body given as bytes and as a stream', async ({ backend }) => {
    await assertRoundTrip(backend, 'empty/bytes', new Uint8Array(0), new Uint8Array(0));
    await assertRoundTrip(backend, 'empty/stream', streamOf(new Uint8Array(0)), new Uint8Array(0));
    expect(await listKeys(backend)).toEqual(['empty/bytes', 'empty/stream']);
  }),

  defineCheck(
    GROUP,
    'round-trips all 256 byte values given as bytes and as a stream',
    async ({ backend }) => {
      const bytes = allByteValues();
      await assertRoundTrip(backend, 'binary/bytes.bin', bytes, bytes);
      await assertRoundTrip(backend, 'binary/stream.bin', streamOf(bytes, 7), bytes);
      const reversed = bytes.slice().reverse();
      await assertRoundTrip(backend, 'binary/reversed.bin', streamOf(reversed, 1), reversed);
    },
  ),

  defineCheck(GROUP, 'round-trips a multi-MiB body given as bytes', async ({ backend }) => {
    const bytes = patternBytes(LARGE, 11);
    await assertRoundTrip(backend, 'large/bytes.bin', bytes, bytes);
  }),

  defineCheck(GROUP, 'round-trips a multi-MiB body given as a stream', async ({ backend }) => {
    const bytes = patternBytes(LARGE, 12);
    await assertRoundTrip(backend, 'large/stream.bin', streamOf(bytes, 256 * 1024 + 5), bytes);
    const hinted = patternBytes(LARGE, 13);
    const written = await backend.put('large/hinted.bin', streamOf(hinted, MiB), {
      contentLength: hinted.byteLength,
    });
    expect(written.size).toBe(hinted.byteLength);
    await assertStoredBytes(backend, 'large/hinted.bin', hinted);
  }),

  defineCheck(
    GROUP,
    'stores a copy: changing the caller buffer or a read chunk alters nothing',
    async ({ backend }) => {
      const original = patternBytes(1000, 3);
      const source = original.slice();
      await backend.put('copy/source.bin', source);
      source.fill(0);
      await assertStoredBytes(backend, 'copy/source.bin', original);

      const first = await backend.get('copy/source.bin');
      for await (const chunk of first?.body ?? []) chunk.fill(7);
      await assertStoredBytes(backend, 'copy/source.bin', original);
    },
  ),

  defineCheck(GROUP, 'overwrites an object, with a new etag and size', async ({ backend }) => {
    const first = await backend.put('over/write.txt', utf8('first version'));
    const second = await backend.put('over/write.txt', utf8('v2'));
    expect(second.etag).not.toBe(first.etag);
    expect(second.size).toBe(2);
    await assertStoredBytes(backend, 'over/write.txt', utf8('v2'));
    const head = await backend.head('over/write.txt');
    expect(head?.etag).toBe(second.etag);
    const page = await backend.list('over/');
    expect(page.objects.map(({ key, size, etag }) => ({ key, size, etag }))).toEqual([
      { key: 'over/write.txt', size: 2, etag: second.etag },
    ]);
  }),

  defineCheck(GROUP, 'get and head answer null for a missing key', async ({ backend }) => {
    await backend.put('present', utf8('x'));
    expect(await backend.get('missing')).toBeNull();
    expect(await backend.head('missing')).toBeNull();
    expect(await backend.get('present/child')).toBeNull();
    expect(await backend.head('pres')).toBeNull();
  }),

  defineCheck(GROUP, 'delete answers true once, then false, and the object is gone', async ({ backend }) => {
    await backend.put('del/a.txt', utf8('a'));
    await backend.put('del/b.txt', utf8('b'));
    expect(await backend.delete('del/a.txt')).toBe(true);
    expect(await backend.delete('del/a.txt')).toBe(false);
    expect(await backend.delete('del/never')).toBe(false);
    expect(await backend.get('del/a.txt')).toBeNull();
    expect(await backend.head('del/a.txt')).toBeNull();
    expect(await listKeys(backend)).toEqual(['del/b.txt']);
    await assertStoredBytes(backend, 'del/b.txt', utf8('b'));
  }),

  defineCheck(
    GROUP,
    'head and get report content type and metadata',
    async ({ backend }) => {
      await backend.put('meta/doc.json', utf8('{}'), {
        contentType: 'application/json',
        metadata: { origin: 'contract', 'entry-id': 'abc-123' },
      });
      const head = await backend.head('meta/doc.json');
      expect(head?.contentType, 'head("meta/doc.json").contentType').toBe('application/json');
      expect(head?.metadata, 'head("meta/doc.json").metadata').toEqual({
        origin: 'contract',
        'entry-id': 'abc-123',
      });
      const got = await backend.get('meta/doc.json');
      expect(got?.contentType, 'get("meta/doc.json").contentType').toBe('application/json');
      expect(got?.metadata, 'get("meta/doc.json").metadata').toEqual({
        origin: 'contract',
        'entry-id': 'abc-123',
      });
      if (got) await readBody(got.body);
    },
    (capabilities) => capabilities.objectMetadata === true,
  ),

  defineCheck(
    GROUP,
    'without objectMetadata, contentType and metadata are refused and nothing is written',
    async ({ backend }) => {
      for (const options of [{ contentType: 'text/plain' }, { metadata: { origin: 'contract' } }]) {
        await expectErrorCode(
          () => backend.put('meta/refused.txt', utf8('x'), options),
          'VALIDATION',
          `put("meta/refused.txt", ${JSON.stringify(options)})`,
        );
      }
      expect(await backend.head('meta/refused.txt'), 'head("meta/refused.txt")').toBeNull();
    },
    (capabilities) => capabilities.objectMetadata !== true,
  ),

  defineCheck(GROUP, 'a listed object carries the same size and etag as head', async ({ backend }) => {
    await backend.put('info/one', patternBytes(321, 5));
    await backend.put('info/two', new Uint8Array(0));
    const page = await backend.list('info/');
    expect(page.objects).toHaveLength(2);
    for (const object of page.objects) {
      const head = await backend.head(object.key);
      expect(object.size).toBe(head?.size);
      expect(object.etag).toBe(head?.etag);
      expect(object.lastModified).toBeInstanceOf(Date);
    }
  }),

  defineCheck(
    GROUP,
    'a put whose body stream fails stores nothing and keeps the old object',
    async ({ backend }) => {
      const old = utf8('old content');
      await backend.put('fail/existing.txt', old);
      const broken = new Error('upload interrupted');
      await expect(
        backend.put('fail/existing.txt', failingStreamOf(patternBytes(200 * 1024, 9), broken)),
      ).rejects.toThrow();
      await expect(
        backend.put('fail/new.txt', failingStreamOf(patternBytes(1000, 9), broken)),
      ).rejects.toThrow();
      await assertStoredBytes(backend, 'fail/existing.txt', old);
      expect(await backend.head('fail/new.txt')).toBeNull();
      expect(await listKeys(backend)).toEqual(['fail/existing.txt']);
    },
  ),

  defineCheck(GROUP, 'many small objects of different sizes read back exactly', async ({ backend }) => {
    const bodies = Array.from({ length: 20 }, (_, index) => patternBytes(index * 37, index + 100));
    for (const [index, body] of bodies.entries()) await backend.put(`many/${index}`, body);
    for (const [index, body] of bodies.entries()) await assertStoredBytes(backend, `many/${index}`, body);
  }),
];
