/** A bucket per test file on one of the run's S3 test servers (see `@datalake/s3-test-servers`). */
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectsCommand,
  ListObjectsV2Command,
  S3Client,
} from '@aws-sdk/client-s3';
import { S3Backend } from '@datalake/backend-s3';
import type { S3Connection } from '@datalake/s3-test-servers';
import { afterAll } from 'vitest';

/** A bucket of its own for the file (deleted after), and a fresh lake prefix in it per call. */
export function useS3Prefix(environment: S3Connection, label: string) {
  const bucket = `datalake-${label}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
  const client = new S3Client({
    endpoint: environment.endpoint,
    region: environment.region,
    credentials: environment.credentials,
    forcePathStyle: true,
  });
  const backends: S3Backend[] = [];
  let created: Promise<unknown> | undefined;
  afterAll(async () => {
    await Promise.all(backends.map((backend) => backend.close()));
    if (created) {
      let token: string | undefined;
      do {
        const page = await client.send(
          new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token }),
        );
        const keys = (page.Contents ?? []).map((object) => ({ Key: object.Key }));
        if (keys.length > 0)
          await client.send(
            new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: keys, Quiet: true } }),
          );
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
      await client.send(new DeleteBucketCommand({ Bucket: bucket }));
    }
    client.destroy();
  });
  return async () => {
    created ??= client.send(new CreateBucketCommand({ Bucket: bucket }));
    await created;
    const prefix = `lake-${Math.random().toString(36).slice(2, 10)}`;
    const backend = await S3Backend.connect({
      bucket,
      prefix,
      endpoint: environment.endpoint,
      region: environment.region,
      credentials: environment.credentials,
    });
    backends.push(backend);
    return { bucket, prefix, backend, connection: environment };
  };
}
