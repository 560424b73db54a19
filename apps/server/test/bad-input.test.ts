import { MemoryBackend } from '@datalake/backend-memory';
import { DataType } from '@datalake/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, raw } from './support/http.js';
import { type Served, serve } from './support/served.js';

const LIMIT = 64 * 1024;
let served: Served;
let admin: Record<string, string>;

/** What the lake holds, to show that a refused request changed nothing. */
async function snapshot() {
  return JSON.stringify({ entries: await served.lake.list(), stats: await served.lake.getStats() });
}

beforeAll(async () => {
  served = await serve(new MemoryBackend(), { server: { maxBodyBytes: LIMIT, maxJsonBytes: 8 * 1024 } });
  admin = bearer(served.adminToken);
  await served.lake.store({
    name: 'keep.sql',
    content: 'select 1',
    dataType: DataType.SCHEMA,
    subpath: 'db',
  });
});
afterAll(() => served.close());

async function expectProblem(
  answer: Promise<{ status: number; headers: Record<string, unknown>; json(): Record<string, unknown> }>,
  status: number,
  code: string,
) {
  const before = await snapshot();
  const result = await answer;
  expect(result.status).toBe(status);
  expect(String(result.headers['content-type'])).toMatch(/^application\/problem\+json/);
  const problem = result.json();
  expect(problem).toMatchObject({ status, code });
  expect(typeof problem.detail).toBe('string');
  expect(await snapshot()).toBe(before);
  return problem;
}

const store = (query: string, body: string | Uint8Array, headers: Record<string, string> = {}) =>
  raw(served.url, 'POST', `/v1/entries?${query}`, {
    headers: { ...admin, 'content-type': 'application/octet-stream', ...headers },
    body,
  });

describe('bad input gets a 4xx problem and changes nothing', () => {
  it('a body over the limit is 413, declared or streamed', async () => {
    await expectProblem(store('name=big.bin&dataType=other', new Uint8Array(LIMIT + 1)), 413, 'TOO_LARGE');
    // Chunked: no Content-Length, so the limit trips while the body streams to the lake.
    const chunked = served.client();
    const before = await snapshot();
    async function* body() {
      for (let i = 0; i < 10; i++) yield new Uint8Array(LIMIT / 4);
    }
    await expect(
      chunked.store({ name: 'big.bin', content: body(), dataType: DataType.OTHER }),
    ).rejects.toMatchObject({
      code: 'TOO_LARGE',
    });
    expect(await snapshot()).toBe(before);
    await expectProblem(
      raw(served.url, 'POST', '/v1/search', {
        headers: { ...admin, 'content-type': 'application/json' },
        body: JSON.stringify({ query: 'x'.repeat(10_000) }),
      }),
      413,
      'TOO_LARGE',
    );
  });

  it('malformed JSON and metadata are 400', async () => {
    const id = (await served.lake.list())[0]?.id as string;
    await expectProblem(
      raw(served.url, 'POST', '/v1/search', {
        headers: { ...admin, 'content-type': 'application/json' },
        body: '{"query":',
      }),
      400,
      'VALIDATION',
    );
    await expectProblem(
      raw(served.url, 'PATCH', `/v1/entries/${id}`, {
        headers: { ...admin, 'content-type': 'application/json' },
        body: '{"metadata": [1,2]}',
      }),
      400,
      'VALIDATION',
    );
    await expectProblem(
      store('name=a.txt&dataType=other', 'x', { 'datalake-metadata': '%7Bnot json' }),
      400,
      'VALIDATION',
    );
    await expectProblem(
      store('name=a.txt&dataType=other', 'x', { 'datalake-metadata': '%5B1%5D' }),
      400,
      'VALIDATION',
    );
    await expectProblem(
      store('name=a.txt&dataType=other', 'x', { 'datalake-metadata': '%E0%A4%A' }),
      400,
      'VALIDATION',
    );
  });

  it('invalid names, subpaths and data types are 400', async () => {
    for (const query of [
      'name=a%2Fb.txt&dataType=other',
      'name=..&dataType=other',
      'name=x%00y&dataType=other',
      'name=ok.txt&dataType=other&subpath=..%2Fescape',
      'name=ok.txt&dataType=other&subpath=%2Fabs',
      'name=ok.txt&dataType=other&subpath=a%5Cb',
      'name=ok.txt&dataType=binary',
      'dataType=other',
    ]) {
      await expectProblem(store(query, 'content'), 400, 'VALIDATION');
    }
  });

  it('encoded traversal and NUL in URLs reach nothing', async () => {
    for (const path of [
      '/v1/files/schema/%2e%2e/%2e%2e/etc/passwd',
      '/v1/files/%2e%2e%2f%2e%2e%2fetc%2fpasswd',
      '/v1/files/schema/db%2f..%2fkeep.sql',
      '/v1/files/schema/db/keep.sql%00',
      '/v1/files/schema%2fdb%2fkeep.sql%00.txt',
      '/v1/paths/schema/%2E%2E/.metadata',
      '/v1/entries/%2e%2e%2f.metadata%2fx/content',
      '/v1/entries/..%2f..%2f.auth%2ftokens',
      '/v1/files/.auth/tokens',
      '/v1/files/.metadata/x.json',
    ]) {
      const before = await snapshot();
      const answer = await raw(served.url, 'GET', path, { headers: admin });
      expect([400, 404], path).toContain(answer.status);
      expect(answer.json().code, path).toMatch(/^(NOT_FOUND|VALIDATION)$/);
      expect(await snapshot()).toBe(before);
    }
    // A real path, for contrast: the same route serves it.
    expect((await raw(served.url, 'GET', '/v1/files/schema/db/keep.sql', { headers: admin })).status).toBe(
      200,
    );
  });

  it('unknown parameters are 400', async () => {
    await expectProblem(
      raw(served.url, 'GET', '/v1/entries?type=schema', { headers: admin }),
      400,
      'VALIDATION',
    );
    await expectProblem(raw(served.url, 'GET', '/v1/stats?verbose=1', { headers: admin }), 400, 'VALIDATION');
    await expectProblem(store('name=a.txt&dataType=other&overwrite=true', 'x'), 400, 'VALIDATION');
    await expectProblem(
      raw(served.url, 'POST', '/v1/search', {
        headers: { ...admin, 'content-type': 'application/json' },
        body: JSON.stringify({ query: 'x', fuzzy: true }),
      }),
      400,
      'VALIDATION',
    );
    await expectProblem(
      raw(served.url, 'POST', '/v1/tokens', {
        headers: { ...admin, 'content-type': 'application/json' },
        body: JSON.stringify({ name: 't', grants: [{ actions: ['read'], owner: 'x' }] }),
      }),
      400,
      'VALIDATION',
    );
  });

  it('a wrong, malformed or missing token is 401, and says nothing more', async () => {
    const wrong = `dlk_${'0'.repeat(16)}_${'A'.repeat(43)}`;
    const real = served.adminToken;
    const tampered = `${real.slice(0, -1)}${real.endsWith('A') ? 'B' : 'A'}`;
    for (const headers of [
      {} as Record<string, string>,
      { authorization: `Bearer ${wrong}` },
      { authorization: `Bearer ${tampered}` },
      { authorization: 'Bearer nonsense' },
      { authorization: `Basic ${Buffer.from('a:b').toString('base64')}` },
      { authorization: real },
    ]) {
      const problem = await expectProblem(
        raw(served.url, 'GET', '/v1/stats', { headers }),
        401,
        'UNAUTHORIZED',
      );
      expect(problem.detail).not.toContain(real);
    }
    const answer = await raw(served.url, 'GET', '/v1/entries', {});
    expect(answer.headers['www-authenticate']).toMatch(/^Bearer/);
  });

  it('unsupported content types and unknown routes are problems too', async () => {
    await expectProblem(
      store('name=a.txt&dataType=other', 'x', { 'content-type': 'text/plain' }),
      415,
      'VALIDATION',
    );
    await expectProblem(raw(served.url, 'GET', '/v2/entries', { headers: admin }), 404, 'NOT_FOUND');
    await expectProblem(raw(served.url, 'PUT', '/v1/stats', { headers: admin }), 404, 'NOT_FOUND');
  });
});
