import { Readable } from 'node:stream';
import { S3Client } from '@aws-sdk/client-s3';
import { BackendError } from '@datalake/core';
import { describe, expect, it } from 'vitest';
import { S3Backend } from '../src/index.js';

interface Answer {
  status: number;
  body?: string;
}

/**
 * A backend whose client answers from `answer(method, path)` without a server: enough to pin down
 * how 404s are read. That a real MinIO answers so is shown in erasure-set.test.ts.
 */
function backendAnswering(answer: (method: string, path: string) => Answer) {
  const requests: string[] = [];
  const client = new S3Client({
    endpoint: 'http://127.0.0.1:9',
    region: 'us-east-1',
    credentials: { accessKeyId: 'k', secretAccessKey: 's' },
    forcePathStyle: true,
    maxAttempts: 1,
    requestHandler: {
      async handle(request: { method: string; path: string }) {
        requests.push(`${request.method} ${request.path}`);
        const { status, body = '' } = answer(request.method, request.path);
        return {
          response: {
            statusCode: status,
            headers: body ? { 'content-type': 'application/xml' } : {},
            body: Readable.from(body ? [Buffer.from(body)] : []),
          },
        };
      },
    },
  });
  return { backend: new S3Backend({ bucket: 'lake', client, atomicConditionalWrites: true }), requests };
}

const noSuchKey = '<?xml version="1.0"?><Error><Code>NoSuchKey</Code><Message>gone</Message></Error>';

describe('S3Backend on 404 answers', () => {
  it('reports a missing key once the bucket answers', async () => {
    const { backend, requests } = backendAnswering((method, path) =>
      path === '/lake' || path === '/lake/'
        ? { status: 200 }
        : { status: 404, body: method === 'GET' ? noSuchKey : '' },
    );
    expect(await backend.head('a.txt')).toBeNull();
    expect(await backend.get('a.txt')).toBeNull();
    expect(requests.filter((request) => request.startsWith('HEAD /lake/a.txt'))).toHaveLength(1);
  });

  it('refuses to call a key missing when its bucket answers 404 too (MinIO after losing its drives)', async () => {
    let bucketAnswers = true;
    const { backend } = backendAnswering((method, path) => {
      if (path === '/lake' || path === '/lake/') return { status: bucketAnswers ? 200 : 404 };
      return { status: 404, body: method === 'GET' ? noSuchKey : '' };
    });
    expect(await backend.head('warm-up')).toBeNull();
    bucketAnswers = false;
    const head = await backend.head('a.txt').catch((error: unknown) => error);
    expect(head).toBeInstanceOf(BackendError);
    expect((head as Error).message).toMatch(/HeadObject of "a\.txt".*both answer HTTP 404/);
    const get = await backend.get('a.txt').catch((error: unknown) => error);
    expect(get).toBeInstanceOf(BackendError);
    expect((get as Error).message).toMatch(/GetObject of "a\.txt"/);
    await expect(backend.delete('a.txt')).rejects.toBeInstanceOf(BackendError);
  });
});
