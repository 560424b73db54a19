import {
  AbortMultipartUploadCommand,
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectsCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  S3Client,
} from '@aws-sdk/client-s3';
import type { S3Connection } from '@datalake/s3-test-servers';
import { afterAll, beforeAll } from 'vitest';
import { S3Backend, type S3BackendOptions } from '../../src/index.js';

export function rawClient(server: S3Connection): S3Client {
  return new S3Client({
    endpoint: server.endpoint,
    region: server.region,
    credentials: server.credentials,
    forcePathStyle: true,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

export function uniqueName(label: string): string {
  return `datalake-${label}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}

/** A bucket of its own for one test file: created before, emptied and deleted after. */
export function useTestBucket(server: S3Connection, label: string) {
  const bucket = uniqueName(label);
  const client = rawClient(server);
  const backends: S3Backend[] = [];
  let created: Promise<unknown> | undefined;
  const settings = (options: Partial<S3BackendOptions>): S3BackendOptions => ({
    bucket,
    endpoint: server.endpoint,
    region: server.region,
    credentials: server.credentials,
    prefix: uniqueName('lake'),
    ...options,
  });
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
    /** A backend on the test bucket (conditions checked by the backend unless told otherwise), closed after the file's tests. */
    backend(options: Partial<S3BackendOptions> = {}): S3Backend {
      const backend = new S3Backend({ atomicConditionalWrites: false, ...settings(options) });
      backends.push(backend);
      return backend;
    },
    /** The same through `S3Backend.connect()`, which measures the server's conditional writes. */
    async connect(options: Partial<S3BackendOptions> = {}): Promise<S3Backend> {
      await ready();
      const backend = await S3Backend.connect(settings(options));
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
