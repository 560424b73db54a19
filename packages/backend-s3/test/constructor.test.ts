import { S3Client } from '@aws-sdk/client-s3';
import { ClosedError, DataLake, StorageFront, UnsafeBackendError, ValidationError } from '@datalake/core';
import { describe, expect, it } from 'vitest';
import { S3Backend } from '../src/index.js';

// No request is sent by these tests: a client that cannot connect is enough.
const client = new S3Client({
  endpoint: 'http://127.0.0.1:9',
  region: 'us-east-1',
  credentials: { accessKeyId: 'k', secretAccessKey: 's' },
  forcePathStyle: true,
  maxAttempts: 1,
});

describe('new S3Backend()', () => {
  it('needs atomicConditionalWrites stated: no silent non-atomic default', () => {
    expect(() => new S3Backend({ bucket: 'lake', client })).toThrow(ValidationError);
    expect(() => new S3Backend({ bucket: 'lake', client })).toThrow(/S3Backend\.connect\(\)/);
  });

  it('says what it was told, and DataLake.open refuses a non-atomic one unless the risk is accepted', async () => {
    const racy = new S3Backend({ bucket: 'lake', client, atomicConditionalWrites: false });
    expect(racy.capabilities).toMatchObject({ atomicConditionalWrites: false, sharedAcrossProcesses: true });
    const refusal = await DataLake.open(racy).catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(UnsafeBackendError);
    expect((refusal as Error).message).toMatch(/acceptNonAtomicWrites/);
    expect(
      new S3Backend({ bucket: 'lake', client, atomicConditionalWrites: true }).capabilities,
    ).toMatchObject({
      atomicConditionalWrites: true,
    });
    await racy.close();
  });
});

describe('S3Backend used directly', () => {
  it('is the S3 adapter behind core’s checking front: it refuses bad input and closed use before any request', async () => {
    const backend = new S3Backend({ bucket: 'lake', prefix: 'p', client, atomicConditionalWrites: true });
    expect(backend).toBeInstanceOf(StorageFront);
    expect(StorageFront.of(backend)).toBe(backend);
    expect({ bucket: backend.bucket, prefix: backend.prefix }).toEqual({ bucket: 'lake', prefix: 'p/' });
    // The client cannot connect: each of these would be a BackendError if a request were sent.
    const refused: [string, () => Promise<unknown>][] = [
      ['an invalid key', () => backend.get('a//b')],
      ['a range ending before its start', () => backend.get('a', { range: { start: 2, end: 1 } })],
      ['a buffer longer than contentLength', () => backend.put('a', new Uint8Array(3), { contentLength: 2 })],
      [
        'an etag beside create',
        () => backend.put('a', new Uint8Array(1), { mode: { kind: 'create', etag: '"1"' } as never }),
      ],
      ['an empty delete ifMatch', () => backend.delete('a', { ifMatch: '' })],
      ['a list limit of 0', () => backend.list('', { limit: 0 })],
      ['an empty list cursor', () => backend.list('', { cursor: '' })],
    ];
    for (const [label, call] of refused) {
      await expect(call(), label).rejects.toBeInstanceOf(ValidationError);
    }
    await backend.close();
    await backend.close();
    await expect(backend.head('a')).rejects.toBeInstanceOf(ClosedError);
    await expect(backend.list('')).rejects.toBeInstanceOf(ClosedError);
  });
});
