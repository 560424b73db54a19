import { createServer, type Server, type Socket } from 'node:net';
import { BackendError } from '@datalake/core';
import { describeEachS3Server } from '@datalake/s3-test-servers/vitest';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { S3Backend } from '../src/index.js';
import { text } from './support/bodies.js';
import { uniqueName, useTestBucket } from './support/test-bucket.js';

describeEachS3Server('S3Backend failures', (server) => {
  const bucket = useTestBucket(server, 'failures');
  const fast = {
    atomicConditionalWrites: false,
    maxAttempts: 2,
    connectTimeoutMs: 1_000,
    socketTimeoutMs: 1_000,
  };

  it('names a missing bucket', async () => {
    const backend = bucket.backend({ bucket: uniqueName('missing') });
    const error = await backend.put('a', text('x')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BackendError);
    expect((error as Error).message).toMatch(/NoSuchBucket \(HTTP 404\) - the bucket does not exist/);
    await expect(backend.head('a')).rejects.toBeInstanceOf(BackendError);
  });

  it('names refused credentials', async () => {
    const wrongKey = bucket.backend({ credentials: { accessKeyId: 'NOSUCHKEY', secretAccessKey: 'x' } });
    await expect(wrongKey.get('a')).rejects.toThrow(/HTTP 403/);
    const wrongSecret = bucket.backend({
      credentials: { accessKeyId: server.credentials.accessKeyId, secretAccessKey: 'wrong' },
    });
    const error = await wrongSecret.list('').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BackendError);
    expect((error as Error).message).toMatch(/403/);
  });

  it('names an endpoint nothing listens on', async () => {
    const closedPort = await freePort();
    const backend = new S3Backend({
      bucket: bucket.bucket,
      endpoint: `http://127.0.0.1:${closedPort}`,
      credentials: server.credentials,
      ...fast,
    });
    const error = await backend.put('a', text('x')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BackendError);
    expect((error as Error).message).toMatch(/could not be reached.*ECONNREFUSED/);
    await backend.close();
  });

  describeSilentServer((endpoint) => {
    it('gives up on a server that accepts connections but never answers', async () => {
      const backend = new S3Backend({
        bucket: bucket.bucket,
        endpoint: endpoint(),
        credentials: server.credentials,
        ...fast,
      });
      const error = await backend.get('a').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(BackendError);
      expect((error as Error).message).toMatch(/did not answer in time|timed? ?out/i);
      await backend.close();
    });
  });
});

function describeSilentServer(body: (endpoint: () => string) => void) {
  let server: Server;
  const sockets = new Set<Socket>();
  beforeAll(async () => {
    server = createServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  });
  body(() => {
    const address = server.address();
    return `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  });
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  return typeof address === 'object' && address ? address.port : 0;
}
