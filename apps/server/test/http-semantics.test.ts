import { Writable } from 'node:stream';
import { MemoryBackend } from '@datalake/backend-memory';
import { DataType, type Entry, PreconditionFailedError } from '@datalake/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, raw } from './support/http.js';
import { type Served, serve } from './support/served.js';

const TEXT = 'line one\nline two\nline three\n';
let served: Served;
let admin: Record<string, string>;
let entry: Entry;
const logLines: string[] = [];

beforeAll(async () => {
  const stream = new Writable({
    write(chunk, _encoding, done) {
      logLines.push(...String(chunk).split('\n').filter(Boolean));
      done();
    },
  });
  served = await serve(new MemoryBackend(), { server: { logger: { stream } } });
  admin = bearer(served.adminToken);
  entry = await served.client().store({
    name: 'notes.txt',
    content: TEXT,
    dataType: DataType.DOCUMENTATION,
    subpath: 'team',
    metadata: { owner: 'ops' },
  });
});
afterAll(() => served.close());

describe('content', () => {
  it('ETag is the SHA-256; If-None-Match answers 304', async () => {
    const first = await raw(served.url, 'GET', `/v1/entries/${entry.id}/content`, { headers: admin });
    expect(first.status).toBe(200);
    expect(first.body.toString()).toBe(TEXT);
    expect(first.headers.etag).toBe(`"${entry.sha256}"`);
    expect(first.headers['content-length']).toBe(String(entry.size));
    const again = await raw(served.url, 'GET', `/v1/files/${entry.filePath}`, {
      headers: { ...admin, 'if-none-match': `"${entry.sha256}"` },
    });
    expect(again.status).toBe(304);
    expect(again.body.byteLength).toBe(0);
    const stale = await raw(served.url, 'GET', `/v1/files/${entry.filePath}`, {
      headers: { ...admin, 'if-none-match': '"0000"' },
    });
    expect(stale.status).toBe(200);
  });

  it('Range answers 206 with the bytes asked for, 416 past the end', async () => {
    const cases: Array<[string, string, string]> = [
      ['bytes=0-3', 'line', `bytes 0-3/${TEXT.length}`],
      ['bytes=5-', TEXT.slice(5), `bytes 5-${TEXT.length - 1}/${TEXT.length}`],
      ['bytes=-6', TEXT.slice(-6), `bytes ${TEXT.length - 6}-${TEXT.length - 1}/${TEXT.length}`],
      ['bytes=10-1000', TEXT.slice(10), `bytes 10-${TEXT.length - 1}/${TEXT.length}`],
    ];
    for (const [range, body, contentRange] of cases) {
      const answer = await raw(served.url, 'GET', `/v1/entries/${entry.id}/content`, {
        headers: { ...admin, range },
      });
      expect(answer.status, range).toBe(206);
      expect(answer.body.toString(), range).toBe(body);
      expect(answer.headers['content-range'], range).toBe(contentRange);
    }
    const past = await raw(served.url, 'GET', `/v1/entries/${entry.id}/content`, {
      headers: { ...admin, range: `bytes=${TEXT.length}-` },
    });
    expect(past.status).toBe(416);
    expect(past.headers['content-range']).toBe(`bytes */${TEXT.length}`);
    const ignored = await raw(served.url, 'GET', `/v1/entries/${entry.id}/content`, {
      headers: { ...admin, range: 'bytes=0-1,4-5' },
    });
    expect(ignored.status).toBe(200);
    const otherVersion = await raw(served.url, 'GET', `/v1/entries/${entry.id}/content`, {
      headers: { ...admin, range: 'bytes=0-3', 'if-range': '"stale"' },
    });
    expect(otherVersion.status).toBe(200);
  });

  it('content is served as an attachment that no browser runs', async () => {
    const answer = await raw(served.url, 'GET', `/v1/files/${entry.filePath}`, { headers: admin });
    expect(answer.headers['content-type']).toBe('application/octet-stream');
    expect(answer.headers['x-content-type-options']).toBe('nosniff');
    expect(answer.headers['content-disposition']).toBe("attachment; filename*=UTF-8''notes.txt");
  });
});

describe('compare-and-swap', () => {
  it('If-Match with the version or the content hash; 412 when stale, and nothing changes', async () => {
    const client = served.client();
    const version = await client.versionOf(entry.id);
    const updated = await client.update(entry.id, { metadata: { step: 1 } }, { ifMatch: version });
    expect(updated.metadata.step).toBe(1);
    await expect(
      client.update(entry.id, { metadata: { step: 2 } }, { ifMatch: version }),
    ).rejects.toBeInstanceOf(PreconditionFailedError);
    // The content hash still matches after a metadata update: a content-level compare-and-swap.
    const replaced = await client.update(entry.id, { content: 'new text\n' }, { ifMatch: entry.sha256 });
    expect(replaced.sha256).not.toBe(entry.sha256);
    await expect(
      client.update(entry.id, { content: 'lost\n' }, { ifMatch: entry.sha256 }),
    ).rejects.toBeInstanceOf(PreconditionFailedError);
    await expect(client.delete(entry.id, { ifMatch: version })).rejects.toBeInstanceOf(
      PreconditionFailedError,
    );
    expect((await client.retrieve(entry.id)).content).toBe('new text\n');
    expect((await client.getEntry(entry.id)).metadata).toEqual({ owner: 'ops', step: 1 });
    const entryAnswer = await raw(served.url, 'GET', `/v1/entries/${entry.id}`, { headers: admin });
    expect(entryAnswer.headers.etag).toBe(`"${await client.versionOf(entry.id)}"`);
    const unchanged = await raw(served.url, 'GET', `/v1/entries/${entry.id}`, {
      headers: { ...admin, 'if-none-match': String(entryAnswer.headers.etag) },
    });
    expect(unchanged.status).toBe(304);
  });
});

describe('multipart', () => {
  it('stores a file from a browser form, streamed', async () => {
    const form = new FormData();
    form.append('dataType', 'configuration');
    form.append('subpath', 'forms');
    form.append('metadata', JSON.stringify({ uploadedBy: 'browser' }));
    form.append('file', new Blob(['key = value\n']), 'app.ini');
    const answer = await fetch(`${served.url}/v1/entries`, { method: 'POST', headers: admin, body: form });
    expect(answer.status).toBe(201);
    const stored = (await answer.json()) as Entry;
    expect(stored).toMatchObject({
      filePath: 'configuration/forms/app.ini',
      metadata: { uploadedBy: 'browser' },
    });
    expect((await served.lake.retrieve(stored.id)).content).toBe('key = value\n');

    const late = new FormData();
    late.append('file', new Blob(['x']), 'late.ini');
    late.append('dataType', 'configuration');
    const refused = await fetch(`${served.url}/v1/entries`, { method: 'POST', headers: admin, body: late });
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { code: string }).code).toBe('VALIDATION');
  });
});

describe('audit log', () => {
  it('records every write, delete and admin action with token, entry, time and outcome', async () => {
    const client = served.client();
    const stored = await client.store({ name: 'audited.log', content: 'x', dataType: DataType.LOGS });
    await client.update(stored.id, { metadata: { a: 1 } });
    await client.delete(stored.id);
    expect(await client.delete(stored.id)).toBe(false);
    const made = await client.createToken({ name: 'temp', grants: [] });
    await client.revokeToken(made.info.id);
    await served.server.audit.flush();
    const { records } = await client.readAudit();
    const mine = records.filter(
      (record) =>
        record.entry?.id === stored.id || record.target === made.info.id || record.action === 'token.create',
    );
    const tokenId = served.adminToken.slice(4, 20);
    expect(mine.map((record) => [record.action, record.outcome, record.status])).toEqual(
      expect.arrayContaining([
        ['store', 'ok', 201],
        ['update', 'ok', 200],
        ['delete', 'ok', 204],
        ['delete', 'NOT_FOUND', 404],
        ['token.create', 'ok', 201],
        ['token.revoke', 'ok', 204],
      ]),
    );
    for (const record of mine) {
      expect(record.tokenId).toBe(tokenId);
      expect(Number.isNaN(Date.parse(record.time))).toBe(false);
    }
    expect(
      records.find((record) => record.action === 'store' && record.entry?.id === stored.id)?.entry?.filePath,
    ).toBe('logs/audited.log');
    expect(JSON.stringify(records)).not.toContain(made.token);
  });
});

describe('operations', () => {
  it('logs one JSON line per request, without secrets', async () => {
    const before = logLines.length;
    await raw(served.url, 'GET', '/v1/stats', { headers: admin });
    await raw(served.url, 'GET', '/v1/stats', {
      headers: { authorization: 'Bearer dlk_secret-looking-value' },
    });
    const lines = logLines.slice(before).map((line) => JSON.parse(line));
    const requests = lines.filter((line) => line.msg === 'request');
    expect(requests).toHaveLength(2);
    expect(requests[0]).toMatchObject({
      method: 'GET',
      url: '/v1/stats',
      status: 200,
      token: served.adminToken.slice(4, 20),
    });
    expect(requests[1]).toMatchObject({ status: 401, token: null });
    expect(typeof requests[0].ms).toBe('number');
    const all = logLines.join('\n');
    expect(all).not.toContain(served.adminToken);
    expect(all).not.toContain('secret-looking-value');
  });

  it('serves an OpenAPI 3.1 document generated from the route schemas', async () => {
    const answer = await raw(served.url, 'GET', '/openapi.json');
    expect(answer.status).toBe(200);
    const document = answer.json();
    expect(document.openapi).toBe('3.1.0');
    expect(Object.keys(document.paths)).toEqual(
      expect.arrayContaining([
        '/v1/entries',
        '/v1/entries/{id}',
        '/v1/entries/{id}/content',
        '/v1/search',
        '/v1/tokens',
      ]),
    );
    const list = document.paths['/v1/entries'].get;
    expect(list.parameters.map((parameter: { name: string }) => parameter.name)).toEqual(
      expect.arrayContaining(['dataType', 'subpath', 'recursive', 'limit', 'cursor']),
    );
    expect(
      document.paths['/v1/search'].post.requestBody.content['application/json'].schema.properties,
    ).toHaveProperty('mode');
    expect(document.components.schemas.Entry.properties).toHaveProperty('sha256');
    expect(document.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
  });

  it('health and readiness answer without a token', async () => {
    expect((await raw(served.url, 'GET', '/healthz')).json()).toEqual({ status: 'ok' });
    expect((await raw(served.url, 'GET', '/readyz')).json()).toEqual({ status: 'ready' });
  });
});
