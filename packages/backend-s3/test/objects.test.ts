import { ClosedError, PreconditionFailedError, PutMode, ValidationError } from '@datalake/core';
import { describeEachS3Server } from '@datalake/s3-test-servers/vitest';
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { patternBytes, readAll, text } from './support/bodies.js';
import { useTestBucket } from './support/test-bucket.js';

describeEachS3Server('S3Backend objects', (server) => {
  const bucket = useTestBucket(server, 'objects');

  it('stores, reads, describes and deletes an object', async () => {
    const backend = bucket.backend();
    const written = await backend.put('docs/a.sql', text('select 1;'), {
      contentType: 'application/sql',
      metadata: { Author: 'Zoë', 'x-Mixed': 'Ünïcode ✓' },
    });
    expect(written.size).toBe(9);
    const read = await backend.get('docs/a.sql');
    expect(read).not.toBeNull();
    expect((await readAll(read?.body ?? [])).toString()).toBe('select 1;');
    expect(read).toMatchObject({
      key: 'docs/a.sql',
      size: 9,
      etag: written.etag,
      contentType: 'application/sql',
    });
    expect(read?.metadata).toEqual({ Author: 'Zoë', 'x-Mixed': 'Ünïcode ✓' });
    expect(await backend.head('docs/a.sql')).toMatchObject({ size: 9, etag: written.etag });
    expect(await backend.delete('docs/a.sql')).toBe(true);
    expect(await backend.delete('docs/a.sql')).toBe(false);
    expect(await backend.get('docs/a.sql')).toBeNull();
    expect(await backend.head('docs/a.sql')).toBeNull();
  });

  it('reads any byte range of an object, clamping the end', async () => {
    const backend = bucket.backend();
    const bytes = patternBytes(3000);
    await backend.put('range.bin', bytes);
    await fc.assert(
      fc.asyncProperty(fc.nat(2999), fc.nat(4000), async (start, length) => {
        const end = start + length;
        const result = await backend.get('range.bin', { range: { start, end } });
        const expected = bytes.subarray(start, Math.min(end, 2999) + 1);
        expect(Buffer.compare(await readAll(result?.body ?? []), expected)).toBe(0);
        expect(result?.range).toEqual({ start, end: Math.min(end, 2999) });
        expect(result?.size).toBe(3000);
      }),
      { numRuns: 25 },
    );
  });

  it('rejects a range starting past the end, and returns an empty object whole', async () => {
    const backend = bucket.backend();
    await backend.put('short', text('abc'));
    await expect(backend.get('short', { range: { start: 3 } })).rejects.toBeInstanceOf(ValidationError);
    await expect(backend.get('short', { range: { start: 2, end: 1 } })).rejects.toBeInstanceOf(
      ValidationError,
    );
    await backend.put('empty', new Uint8Array(0));
    const empty = await backend.get('empty', { range: { start: 0, end: 10 } });
    expect(empty?.size).toBe(0);
    expect((await readAll(empty?.body ?? [])).byteLength).toBe(0);
    expect(await backend.get('missing', { range: { start: 0 } })).toBeNull();
  });

  if (server.kind !== 'other') {
    it(`finds that ${server.name} applies conditional writes atomically`, async () => {
      const backend = await bucket.connect();
      expect(backend.capabilities.atomicConditionalWrites).toBe(true);
    });
  }

  it('creates conditionally: one winner among racing writers', async () => {
    const backend = await bucket.connect();
    const results = await Promise.allSettled(
      Array.from({ length: 8 }, (_, i) =>
        backend.put('claim', text(`writer ${i}`), { mode: PutMode.create }),
      ),
    );
    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
    for (const result of results) {
      if (result.status === 'rejected') expect(result.reason).toBeInstanceOf(PreconditionFailedError);
    }
  });

  it('overwrites conditionally on the current etag only, one winner among racing writers', async () => {
    const backend = await bucket.connect();
    const first = await backend.put('record', text('v1'));
    const second = await backend.put('record', text('v2'), { mode: PutMode.replace(first.etag) });
    await expect(
      backend.put('record', text('stale'), { mode: PutMode.replace(first.etag) }),
    ).rejects.toBeInstanceOf(PreconditionFailedError);
    await expect(
      backend.put('nothing-here', text('x'), { mode: PutMode.replace(first.etag) }),
    ).rejects.toBeInstanceOf(PreconditionFailedError);
    const results = await Promise.allSettled(
      Array.from({ length: 8 }, (_, i) =>
        backend.put('record', text(`v3 by ${i}`), { mode: PutMode.replace(second.etag) }),
      ),
    );
    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
  });

  it('deletes conditionally on the current etag only', async () => {
    const backend = bucket.backend();
    const first = await backend.put('doomed', text('v1'));
    const second = await backend.put('doomed', text('v2'));
    await expect(backend.delete('doomed', { ifMatch: first.etag })).rejects.toBeInstanceOf(
      PreconditionFailedError,
    );
    expect(await backend.head('doomed')).not.toBeNull();
    expect(await backend.delete('doomed', { ifMatch: second.etag })).toBe(true);
    await expect(backend.delete('doomed', { ifMatch: second.etag })).rejects.toBeInstanceOf(
      PreconditionFailedError,
    );
  });

  it('keeps lakes under different prefixes apart, even when one prefix starts the other', async () => {
    const lake = bucket.backend({ prefix: 'shared/lake' });
    const neighbour = bucket.backend({ prefix: 'shared/lake-b' });
    await lake.put('a', text('lake'));
    await neighbour.put('a', text('neighbour'));
    await neighbour.put('b', text('neighbour only'));
    expect((await lake.list('')).objects.map((object) => object.key)).toEqual(['a']);
    expect((await readAll((await lake.get('a'))?.body ?? [])).toString()).toBe('lake');
    expect(await lake.head('b')).toBeNull();
    expect(lake.description).toBe(`s3://${bucket.bucket}/shared/lake/`);
  });

  it('rejects invalid keys and options before sending anything', async () => {
    const backend = bucket.backend();
    for (const key of ['', '/abs', 'a//b', '../up', 'trailing/', 'tab\there']) {
      await expect(backend.put(key, text('x'))).rejects.toBeInstanceOf(ValidationError);
      await expect(backend.get(key)).rejects.toBeInstanceOf(ValidationError);
    }
    await expect(
      backend.put('k', text('x'), { mode: { kind: 'x' } as unknown as PutMode }),
    ).rejects.toBeInstanceOf(ValidationError);
    await expect(backend.put('k', text('xyz'), { contentLength: 2 })).rejects.toBeInstanceOf(ValidationError);
    expect(await backend.head('k')).toBeNull();
    expect(() => bucket.backend({ prefix: '../escape' })).toThrow(ValidationError);
  });

  it('refuses calls once closed', async () => {
    const backend = bucket.backend();
    await backend.close();
    await expect(backend.get('a')).rejects.toBeInstanceOf(ClosedError);
  });
});
