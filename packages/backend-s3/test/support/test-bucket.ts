import {
  AbortMultipartUploadCommand,
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectsCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  S3Client,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll } from 'vitest';
import { S3Backend, type S3BackendOptions } from '../../src/index.js';
import type { S3TestEnvironment } from './s3-environment.js';

export function rawClient(environment: S3TestEnvironment): S3Client {
  return new S3Client({
    endpoint: environment.endpoint,
    region: environment.region,
    credentials: environment.credentials,
    forcePathStyle: true,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

export function uniqueName(label: string): string {
  return `datalake-${label}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}

/** A bucket of its own for one test file: created before, emptied and deleted after. */
export function useTestBucket(environment: S3TestEnvironment, label: string) {
  const bucket = uniqueName(label);
  const client = rawClient(environment);
  const backends: S3Backend[] = [];
  let created: Promise<unknown> | undefined;
  const ready = () => {
    created ??= createBucket(client, bucket);
    return created;
  };
  beforeAll(ready);
  afterAll(async () => {
    await Promise.all(backends.map((backend) => backend.close()));
    await emptyBucket(client, bucket);
    await client.send(new DeleteBucketCommand({ Bucket: bucket }));
    client.destroy();
  });
  return {
    bucket,
    client,
    /** Creates the bucket now (once); for code that runs before the `beforeAll` hooks. */
    ready,
    /** A backend on the test bucket, closed after the file's tests. */
    backend(options: Partial<S3BackendOptions> = {}): S3Backend {
      const backend = new S3Backend({
        bucket,
        endpoint: environment.endpoint,
        region: environment.region,
        credentials: environment.credentials,
        prefix: uniqueName('lake'),
        ...options,
      });
      backends.push(backend);
      return backend;
    },
  };
}

export async function createBucket(client: S3Client, bucket: string): Promise<void> {
  await client.send(new CreateBucketCommand({ Bucket: bucket }));
}

export async function pendingUploads(client: S3Client, bucket: string, prefix = ''): Promise<string[]> {
  const response = await client.send(new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: prefix }));
  return (response.Uploads ?? []).map((upload) => upload.Key ?? '');
}

export async function emptyBucket(client: S3Client, bucket: string): Promise<void> {
  const uploads = await client.send(new ListMultipartUploadsCommand({ Bucket: bucket }));
  for (const upload of uploads.Uploads ?? []) {
    await client.send(
      new AbortMultipartUploadCommand({ Bucket: bucket, Key: upload.Key, UploadId: upload.UploadId }),
    );
  }
  let token: string | undefined;
  do {
    const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token }));
    const keys = (page.Contents ?? []).map((object) => ({ Key: object.Key }));
    if (keys.length > 0) {
      await client.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: keys, Quiet: true } }));
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
}
