import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryBackend } from '@datalake/backend-memory';
import type { DataType } from '@datalake/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, raw } from './support/http.js';
import { type Served, serve } from './support/served.js';

const FOLDERS = ['', 'finance', 'finance/2023', 'finance/2023/q1', 'financer', 'hr', 'hr/payroll'];

let root: string;
let served: Served;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'datalake-page-'));
  await mkdir(join(root, 'assets'));
  await writeFile(join(root, 'index.html'), '<!doctype html><title>page</title>');
  await writeFile(join(root, 'assets', 'app-1a2b.js'), 'console.log(1)');
  await writeFile(join(root, 'secret.key'), 'not a page file');
  served = await serve(new MemoryBackend(), { server: { web: { root } } });
  for (const dataType of ['schema', 'macro'] as DataType[])
    for (const subpath of FOLDERS)
      await served.lake.store({ name: 'a.txt', dataType, subpath, content: `${dataType} ${subpath}` });
});
afterAll(async () => {
  await served.close();
  await rm(root, { recursive: true, force: true });
});

describe('the web page', () => {
  it('is served at / without a token, with a policy that keeps it to its own files', async () => {
    const page = await raw(served.url, 'GET', '/');
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.body.toString()).toContain('<title>page</title>');
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    expect(page.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(page.headers['cache-control']).toBe('no-cache');
    const again = await raw(served.url, 'GET', '/', {
      headers: { 'if-none-match': String(page.headers.etag) },
    });
    expect(again.status).toBe(304);
  });

  it('serves its built files under /assets/ for a year, and nothing else from the folder', async () => {
    const script = await raw(served.url, 'GET', '/assets/app-1a2b.js');
    expect(script.status).toBe(200);
    expect(script.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(script.headers['cache-control']).toContain('immutable');
    for (const path of [
      '/assets/missing.js',
      '/assets/../index.html',
      '/assets/%2e%2e/secret.key',
      '/assets/..%2fsecret.key',
      '/secret.key',
      '/assets/../../package.json',
    ]) {
      // With a token, so that a route outside the page answers what it is (without one it is 401).
      const answer = await raw(served.url, 'GET', path, { headers: bearer(served.adminToken) });
      expect(answer.status, path).toBe(404);
      expect(answer.body.toString()).not.toContain('not a page file');
    }
  });

  it('leaves the API as it was: every route still needs a token', async () => {
    expect((await raw(served.url, 'GET', '/v1/entries')).status).toBe(401);
    expect((await raw(served.url, 'GET', '/v1/folders')).status).toBe(401);
  });

  it('is left out with web: false, and without a built page', async () => {
    const apiOnly = await serve(new MemoryBackend(), { server: { web: false } });
    const unbuilt = await serve(new MemoryBackend(), { server: { web: { root: join(root, 'nowhere') } } });
    try {
      for (const other of [apiOnly, unbuilt]) {
        expect((await raw(other.url, 'GET', '/')).status).toBe(401);
        expect((await raw(other.url, 'GET', '/', { headers: bearer(other.adminToken) })).status).toBe(404);
      }
    } finally {
      await Promise.all([apiOnly.close(), unbuilt.close()]);
    }
  });
});

describe('GET /v1/folders', () => {
  const folders = async (token: string, query = '') => {
    const answer = await raw(served.url, 'GET', `/v1/folders${query}`, { headers: bearer(token) });
    return { status: answer.status, body: answer.json() };
  };

  it('lists the child folders of a folder with the entries below each', async () => {
    expect((await folders(served.adminToken, '?dataType=schema')).body.folders).toEqual([
      { name: 'finance', subpath: 'finance', entries: 3 },
      { name: 'financer', subpath: 'financer', entries: 1 },
      { name: 'hr', subpath: 'hr', entries: 2 },
    ]);
    expect((await folders(served.adminToken, '?dataType=macro&subpath=finance')).body.folders).toEqual([
      { name: '2023', subpath: 'finance/2023', entries: 2 },
    ]);
    expect((await folders(served.adminToken, '?subpath=hr')).body.folders).toEqual([
      { name: 'payroll', subpath: 'hr/payroll', entries: 2 },
    ]);
    expect((await folders(served.adminToken, '?subpath=hr/payroll')).body.folders).toEqual([]);
  });

  it('counts only what the token can read', async () => {
    const scoped = await served.token([{ actions: ['read'], dataType: 'macro', pathPrefix: 'finance/2023' }]);
    expect((await folders(scoped)).body.folders).toEqual([
      { name: 'finance', subpath: 'finance', entries: 2 },
    ]);
    expect((await folders(scoped, '?dataType=schema')).body.folders).toEqual([]);
    expect((await folders(scoped, '?subpath=hr')).body.folders).toEqual([]);
  });

  it('refuses traversal, unknown types and unknown parameters', async () => {
    expect((await folders(served.adminToken, '?subpath=../x')).status).toBe(400);
    expect((await folders(served.adminToken, '?subpath=a/../../b')).status).toBe(400);
    expect((await folders(served.adminToken, '?dataType=secrets')).status).toBe(400);
    expect((await folders(served.adminToken, '?limit=5')).status).toBe(400);
  });
});
