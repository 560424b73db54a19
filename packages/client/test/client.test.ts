import {
  BackendError,
  ConflictError,
  DataType,
  NotFoundError,
  PreconditionFailedError,
  TooLargeError,
  ValidationError,
} from '@datalake/core';
import { describe, expect, it } from 'vitest';
import { errorFromProblem } from '../src/errors.js';
import { ForbiddenError, RemoteLake, UnauthorizedError } from '../src/index.js';

/** A fetch that records requests and answers from `answer` (no server: request shaping only). */
function recordingFetch(answer: (url: URL, init: RequestInit) => Response | Promise<Response>) {
  const calls: Array<{ url: URL; init: RequestInit; body?: Uint8Array }> = [];
  const fetch = (async (input: string | URL, init: RequestInit = {}) => {
    const url = new URL(String(input));
    let body: Uint8Array | undefined;
    if (init.body instanceof ReadableStream) {
      const chunks: Uint8Array[] = [];
      for await (const chunk of init.body as unknown as AsyncIterable<Uint8Array>) chunks.push(chunk);
      body = Buffer.concat(chunks);
    } else if (init.body !== undefined) body = Buffer.from(init.body as string | Uint8Array);
    calls.push({ url, init, ...(body ? { body } : {}) });
    return answer(url, init);
  }) as typeof globalThis.fetch;
  return { fetch, calls };
}

const problem = (status: number, code: string, detail = 'x') =>
  new Response(JSON.stringify({ type: 'urn:x', title: 't', status, code, detail }), {
    status,
    headers: { 'content-type': 'application/problem+json' },
  });

describe('errors', () => {
  it('rebuilds the lake error class from the problem code', () => {
    const cases: Array<[number, string, new (...args: never[]) => Error]> = [
      [404, 'NOT_FOUND', NotFoundError],
      [400, 'VALIDATION', ValidationError],
      [409, 'CONFLICT', ConflictError],
      [412, 'PRECONDITION_FAILED', PreconditionFailedError],
      [413, 'TOO_LARGE', TooLargeError],
      [401, 'UNAUTHORIZED', UnauthorizedError],
      [403, 'FORBIDDEN', ForbiddenError],
      [503, 'BACKEND', BackendError],
    ];
    for (const [status, code, type] of cases) {
      const error = errorFromProblem(
        status,
        { code, detail: `because ${code}`, details: { id: 'a' } },
        'GET /x',
      );
      expect(error).toBeInstanceOf(type);
      expect(error.code).toBe(code);
      expect(error.message).toBe(`because ${code}`);
      expect(error.details).toEqual({ id: 'a', status });
    }
    expect(errorFromProblem(502, undefined, 'GET /x')).toBeInstanceOf(BackendError);
    expect(errorFromProblem(418, undefined, 'GET /x')).toBeInstanceOf(ValidationError);
  });
});

describe('requests', () => {
  it('sends ids and paths so no URL resolution changes them; dot segments name nothing', async () => {
    const { fetch, calls } = recordingFetch(() => problem(404, 'NOT_FOUND'));
    const lake = new RemoteLake({ url: 'http://lake.test:8080/', token: 'dlk_t', fetch });
    await expect(lake.getEntry('../x')).rejects.toBeInstanceOf(NotFoundError);
    await expect(lake.getEntryByPath('schema/a b/%2e.sql')).rejects.toBeInstanceOf(NotFoundError);
    expect(calls.map((call) => call.url.pathname)).toEqual([
      '/v1/entries/..%2Fx',
      '/v1/paths/schema/a%20b/%252e.sql',
    ]);
    for (const path of ['schema/../x', 'schema/./x', '..']) {
      await expect(lake.getEntryByPath(path)).rejects.toBeInstanceOf(NotFoundError);
      await expect(lake.retrieveByPath(path)).rejects.toBeInstanceOf(NotFoundError);
    }
    await expect(lake.getEntry('..')).rejects.toBeInstanceOf(NotFoundError);
    expect(calls).toHaveLength(2);
    expect(new Headers(calls[0]?.init.headers).get('authorization')).toBe('Bearer dlk_t');
  });

  it('refuses strings a URL cannot carry before sending anything', async () => {
    const { fetch, calls } = recordingFetch(() => problem(500, 'INTERNAL'));
    const lake = new RemoteLake({ url: 'http://lake.test', fetch });
    await expect(
      lake.store({ name: 'a\ud800.txt', content: 'x', dataType: DataType.OTHER }),
    ).rejects.toBeInstanceOf(ValidationError);
    await expect(lake.getEntry('\udc00')).rejects.toBeInstanceOf(NotFoundError);
    expect(calls).toEqual([]);
  });

  it('sends metadata percent-encoded in a header and streams content as it comes', async () => {
    const entry = { id: 'e', filePath: 'other/a.bin' };
    const { fetch, calls } = recordingFetch(() => Response.json(entry, { status: 201 }));
    const lake = new RemoteLake({ url: 'http://lake.test', fetch });
    async function* chunks() {
      yield Uint8Array.from([1, 2]);
      yield Uint8Array.from([3]);
    }
    await lake.store({
      name: 'a.bin',
      content: chunks(),
      dataType: DataType.OTHER,
      metadata: { é: '✓' },
      subpath: 's',
    });
    const call = calls[0];
    expect(call?.url.search).toBe('?name=a.bin&dataType=other&subpath=s');
    const headers = new Headers(call?.init.headers);
    expect(decodeURIComponent(headers.get('datalake-metadata') as string)).toBe('{"é":"✓"}');
    expect(headers.get('content-length')).toBeNull();
    expect([...(call?.body ?? [])]).toEqual([1, 2, 3]);
  });

  it('passes the content stream\u2019s own error through, and names an unreachable server', async () => {
    const failing = new Error('the source broke');
    const lake = new RemoteLake({ url: 'http://127.0.0.1:9' });
    async function* broken() {
      yield Uint8Array.from([1]);
      throw failing;
    }
    await expect(lake.getStats()).rejects.toBeInstanceOf(BackendError);
    const { createServer } = await import('node:http');
    const server = createServer((request, response) => {
      request.resume();
      request.on('end', () => response.end('{}'));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    const listening = new RemoteLake({ url: `http://127.0.0.1:${port}` });
    const error = await listening
      .store({ name: 'a', content: broken(), dataType: DataType.OTHER })
      .catch((e: unknown) => e);
    server.close();
    expect(error).toBe(failing);
    await lake.close();
    await expect(lake.getStats()).rejects.toMatchObject({ code: 'CLOSED' });
  });
});
