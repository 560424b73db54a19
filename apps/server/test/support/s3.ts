/**
 * The S3 test server these tests use: S3_ENDPOINT and the AWS_* variables, as for the S3 backend's
 * own tests (this mirrors their helpers; when those move into a shared test package, import from
 * there instead). Without a server the tests are skipped with a notice, except under CI=true.
 */
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectsCommand,
  ListObjectsV2Command,
  S3Client,
} from '@aws-sdk/client-s3';
import { S3Backend } from '@datalake/backend-s3';
import { afterAll, describe, it } from 'vitest';

export interface S3TestEnvironment {
  endpoint: string;
  region: string;
}

export function s3TestEnvironment(): S3TestEnvironment | undefined {
  const endpoint = process.env.S3_ENDPOINT;
  if (!endpoint || !process.env.AWS_ACCESS_KEY_ID || !process.env.AWS_SECRET_ACCESS_KEY) return undefined;
  return { endpoint, region: process.env.AWS_REGION ?? 'us-east-1' };
}

export function describeWithS3(name: string, body: (environment: S3TestEnvironment) => void): void {
  const environment = s3TestEnvironment();
  if (environment) {
    describe(name, () => body(environment));
    return;
  }
  const missing = 'S3 tests need S3_ENDPOINT, AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY';
  if (process.env.CI === 'true') {
    describe(name, () =>
      it('has an S3 server to test against', () => {
        throw new Error(`${missing}; CI=true, so this is a failure`);
      }),
    );
    return;
  }
  console.warn(`\n[server] SKIPPING "${name}": ${missing}.\n`);
  describe.skip(name, () => {});
}

/** A bucket of its own for the file (deleted after), and a fresh lake prefix in it per call. */
export function useS3Prefix(environment: S3TestEnvironment, label: string) {
  const bucket = `datalake-${label}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
  const client = new S3Client({
    endpoint: environment.endpoint,
    region: environment.region,
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
    });
    backends.push(backend);
    return { bucket, prefix, backend };
  };
}
