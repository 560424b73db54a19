import { PassThrough } from 'node:stream';
import { MemoryBackend } from '@datalake/backend-memory';
import { TooLargeError, ValidationError } from '@datalake/core';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authenticate, authenticateKnown } from '../src/auth/authenticate.js';
import { TokenStore } from '../src/auth/token-store.js';
import { AccessError } from '../src/errors.js';
import { contentOf, readWholeBody } from '../src/http/body.js';
import { versionTag } from '../src/http/etags.js';
import { bearer, raw } from './support/http.js';
import { type Served, serve } from './support/served.js';

/** A request-like stream that sends `chunks`, then ends (or breaks off without ending). */
function bodyOf(chunks: Buffer[], ending: 'end' | 'break' = 'end'): PassThrough {
  const stream = new PassThrough();
  setImmediate(() => {
    for (const chunk of chunks) stream.write(chunk);
    if (ending === 'end') stream.end();
    else stream.destroy();
  });
  return stream;
}

describe('small bodies read whole', () => {
  it('give exactly the bytes sent, in any chunking', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 8 }), async (parts) => {
        const chunks = parts.map((part) => Buffer.from(part));
        const expected = Buffer.concat(chunks);
        const read = await readWholeBody(bodyOf(chunks), 1 << 20, expected.byteLength);
        expect(Buffer.from(read).equals(expected)).toBe(true);
      }),
      { numRuns: 50 },
    );
  });

  it('fail when the body breaks off or ends short of its declared length', async () => {
    const chunk = Buffer.alloc(100, 1);
    await expect(readWholeBody(bodyOf([chunk], 'break'), 1000, 200)).rejects.toBeInstanceOf(ValidationError);
    await expect(readWholeBody(bodyOf([chunk]), 1000, 200)).rejects.toBeInstanceOf(ValidationError);
    await expect(readWholeBody(bodyOf([chunk, chunk]), 1000, 100)).rejects.toBeInstanceOf(ValidationError);
  });

  it('fail past the limit', async () => {
    const chunk = Buffer.alloc(100, 1);
    await expect(readWholeBody(bodyOf([chunk, chunk]), 150, 150)).rejects.toBeInstanceOf(TooLargeError);
  });

  it('are what contentOf gives for a stream of declared small length, and a stream otherwise', async () => {
    const chunk = Buffer.alloc(64, 7);
    const whole = await contentOf(bodyOf([chunk, chunk]), 1000, 128);
    expect(whole).toBeInstanceOf(Uint8Array);
    expect(Buffer.from(whole as Uint8Array).equals(Buffer.concat([chunk, chunk]))).toBe(true);
    const streamed = await contentOf(bodyOf([chunk]), 1000, undefined);
    expect(streamed).not.toBeInstanceOf(Uint8Array);
    const parts: Uint8Array[] = [];
    for await (const part of streamed as AsyncIterable<Uint8Array>) parts.push(part);
    expect(Buffer.concat(parts).equals(chunk)).toBe(true);
  });
});

describe('authentication without waiting', () => {
  it('knows a token it holds, refuses bad ones at once, and leaves unknown ones to the lookup', async () => {
    const backend = new MemoryBackend();
    const here = new TokenStore(backend);
    const elsewhere = new TokenStore(backend);
    const { token: mine } = await here.create({ name: 'mine', grants: [{ actions: ['read'] }] });
    const { token: theirs, info } = await elsewhere.create({
      name: 'theirs',
      grants: [{ actions: ['write'], dataType: 'logs' }],
    });

    expect(here.authenticateKnown(mine)?.name).toBe('mine');
    expect(() => here.authenticateKnown('dlk_nonsense')).toThrow(AccessError);
    expect(() => here.authenticateKnown(`${mine.slice(0, -1)}${mine.endsWith('A') ? 'B' : 'A'}`)).toThrow(
      AccessError,
    );
    // Made by another instance: not known here until looked up, then known.
    expect(here.authenticateKnown(theirs)).toBeUndefined();
    expect((await here.authenticate(theirs)).id).toBe(info.id);
    expect(here.authenticateKnown(theirs)?.id).toBe(info.id);

    const access = authenticateKnown(here, `Bearer ${theirs}`, undefined);
    expect(access?.tokenId).toBe(info.id);
    // One Access per record, whichever way it was found.
    expect(await authenticate(here, `Bearer ${theirs}`, undefined)).toBe(access);
    expect(() => authenticateKnown(here, undefined, undefined)).toThrow(AccessError);
    expect(() => authenticateKnown(here, 'Basic abc', undefined)).toThrow(AccessError);
    expect(authenticateKnown(here, undefined, { actions: ['read'] })?.tokenId).toBeNull();

    await here.revoke(info.id);
    expect(here.authenticateKnown(theirs)).toBeUndefined();
    await expect(here.authenticate(theirs)).rejects.toBeInstanceOf(AccessError);
  });

  it('refuses an expired token it holds', async () => {
    let now = Date.parse('2030-01-01T00:00:00Z');
    const store = new TokenStore(new MemoryBackend(), { now: () => now });
    const { token } = await store.create({
      name: 'brief',
      grants: [{ actions: ['read'] }],
      expiresAt: '2030-01-01T00:01:00Z',
    });
    expect(store.authenticateKnown(token)?.name).toBe('brief');
    now += 60_000;
    expect(() => store.authenticateKnown(token)).toThrow(AccessError);
  });
});

describe('the request path over HTTP', () => {
  let served: Served;
  beforeAll(async () => {
    served = await serve(new MemoryBackend());
  });
  afterAll(() => served.close());

  it('serves a token first presented to it (made by another instance) and refuses it once revoked', async () => {
    const other = new TokenStore(served.lake.backend);
    const { token, info } = await other.create({ name: 'other', grants: [{ actions: ['read'] }] });
    expect((await raw(served.url, 'GET', '/v1/stats', { headers: bearer(token) })).status).toBe(200);
    expect((await raw(served.url, 'GET', '/v1/stats', { headers: bearer(token) })).status).toBe(200);
    await served.server.tokens.revoke(info.id);
    expect((await raw(served.url, 'GET', '/v1/stats', { headers: bearer(token) })).status).toBe(401);
    expect((await raw(served.url, 'GET', '/v1/stats', { headers: bearer('dlk_bad') })).status).toBe(401);
    expect((await raw(served.url, 'GET', '/v1/stats')).status).toBe(401);
  });

  it('gives an entry one version tag until it changes', async () => {
    const entry = await served.lake.store({
      name: 'v.txt',
      content: 'one',
      dataType: 'other',
      metadata: { a: 1 },
    });
    const tag = versionTag(entry);
    expect(versionTag(entry)).toBe(tag);
    const updated = await served.lake.update(entry.id, { metadata: { a: 2 } });
    expect(versionTag(updated)).not.toBe(tag);
    const answer = await raw(served.url, 'GET', `/v1/entries/${entry.id}`, {
      headers: bearer(served.adminToken),
    });
    expect(answer.headers.etag).toBe(versionTag(updated));
    // A mutable entry-like object is hashed afresh each time: no stale tag for changed fields.
    const loose = { ...updated, metadata: { a: 3 } };
    const before = versionTag(loose);
    loose.metadata.a = 4;
    expect(versionTag(loose)).not.toBe(before);
  });

  it('stores a small upload whole, byte for byte', async () => {
    const stored = await raw(served.url, 'POST', '/v1/entries?name=small.bin&dataType=other', {
      headers: { ...bearer(served.adminToken), 'content-type': 'application/octet-stream' },
      body: Buffer.alloc(4096, 9),
    });
    expect(stored.status).toBe(201);
    const { id } = JSON.parse(stored.body.toString('utf8')) as { id: string };
    expect(Buffer.from((await served.lake.retrieve(id)).bytes).equals(Buffer.alloc(4096, 9))).toBe(true);
  });
});
