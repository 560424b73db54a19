import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectsCommand,
  ListObjectsV2Command,
  S3Client,
} from '@aws-sdk/client-s3';
import { configuredS3Servers, type S3Connection } from '@datalake/s3-test-servers';

/** One S3 server the s3 suite runs against. */
export interface S3Target extends S3Connection {
  /** `minio`, `rgw`, or `s3` for a server given by S3_ENDPOINT. */
  name: string;
  /** An existing bucket to use (DATALAKE_S3_BUCKET); otherwise the suite creates and removes its own. */
  bucket: string | undefined;
}

/**
 * The servers of this run, as the tests see them: S3_ENDPOINT and the AWS variables, else the
 * servers the root `pnpm bench` started (DATALAKE_S3_SERVERS).
 */
export function s3TargetsFromEnv(): S3Target[] {
  const bucket = process.env.DATALAKE_S3_BUCKET || undefined;
  return configuredS3Servers().map(({ name, endpoint, region, credentials }) => ({
    name,
    endpoint,
    region,
    credentials,
    bucket,
  }));
}

/** A plain SDK client with the settings any S3-compatible server accepts (path style, checksums only when required). */
export function rawClient(target: S3Target): S3Client {
  return new S3Client({
    endpoint: target.endpoint,
    region: target.region,
    credentials: target.credentials,
    forcePathStyle: true,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

export async function createBucket(client: S3Client, bucket: string): Promise<void> {
  await client.send(new CreateBucketCommand({ Bucket: bucket }));
}

export async function deleteBucket(client: S3Client, bucket: string): Promise<void> {
  await client.send(new DeleteBucketCommand({ Bucket: bucket }));
}

/** Every key under `prefix`, following continuation tokens. */
export async function listAllKeys(client: S3Client, bucket: string, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await client.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
    );
    for (const object of page.Contents ?? []) if (object.Key) keys.push(object.Key);
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return keys;
}

/** Removes everything under `prefix`, 1,000 keys per request. */
export async function deletePrefix(client: S3Client, bucket: string, prefix: string): Promise<number> {
  const keys = await listAllKeys(client, bucket, prefix);
  for (let start = 0; start < keys.length; start += 1000) {
    const batch = keys.slice(start, start + 1000).map((Key) => ({ Key }));
    await client.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: batch, Quiet: true } }));
  }
  return keys.length;
}
