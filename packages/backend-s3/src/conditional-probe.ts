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

export interface ConditionalSupport {
  /** `If-None-Match: *` and `If-Match` on PUT are enforced. */
  writes: boolean;
  /** `If-Match` on DELETE is enforced (Ceph RGW 16 ignores it and deletes anyway). */
  deletes: boolean;
}

/**
 * Measures which conditions the server enforces: a second `If-None-Match: *` create must be
 * refused, a stale `If-Match` overwrite must be refused, and separately a stale `If-Match` delete.
 */
export async function probeConditionalWrites({
  client,
  bucket,
  scratchKey,
}: ProbeTarget): Promise<ConditionalSupport> {
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
    const writes =
      (await refuses(put({ IfNoneMatch: '*' }))) && (await refuses(put({ IfMatch: STALE_ETAG })));
    const deletes = await refuses(
      client.send(new DeleteObjectCommand({ Bucket: bucket, Key: scratchKey, IfMatch: STALE_ETAG })),
    );
    return { writes, deletes };
  } finally {
    await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: scratchKey }));
  }
}
