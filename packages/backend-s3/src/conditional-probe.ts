import { DeleteObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { isPreconditionFailed } from './errors.js';

export interface ProbeTarget {
  client: S3Client;
  bucket: string;
  /** A key no one else uses; removed afterwards. */
  scratchKey: string;
}

/** An ETag no real object has (MD5-shaped, all zeros). */
const STALE_ETAG = '"00000000000000000000000000000000"';

/**
 * Measures whether the server enforces the three conditions the backend relies on: a second
 * `If-None-Match: *` create is refused, a stale `If-Match` overwrite is refused, and a stale
 * `If-Match` delete is refused (Ceph RGW 16 ignores the last one and deletes anyway).
 */
export async function probeConditionalWrites({ client, bucket, scratchKey }: ProbeTarget): Promise<boolean> {
  const put = (options: { IfNoneMatch?: string; IfMatch?: string }) =>
    client.send(new PutObjectCommand({ Bucket: bucket, Key: scratchKey, Body: 'probe', ...options }));
  const refuses = (attempt: Promise<unknown>) =>
    attempt.then(
      () => false,
      (error: unknown) => {
        if (isPreconditionFailed(error)) return true;
        throw error;
      },
    );
  try {
    await put({ IfNoneMatch: '*' });
    if (!(await refuses(put({ IfNoneMatch: '*' })))) return false;
    if (!(await refuses(put({ IfMatch: STALE_ETAG })))) return false;
    return await refuses(
      client.send(new DeleteObjectCommand({ Bucket: bucket, Key: scratchKey, IfMatch: STALE_ETAG })),
    );
  } finally {
    await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: scratchKey }));
  }
}
