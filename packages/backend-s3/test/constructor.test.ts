import { S3Client } from '@aws-sdk/client-s3';
import { DataLake, UnsafeBackendError, ValidationError } from '@datalake/core';
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
