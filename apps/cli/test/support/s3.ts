import { createHash, createHmac, randomUUID } from 'node:crypto';
import type { S3Connection } from '@datalake/s3-test-servers';

export interface S3Target {
  endpoint: string;
  bucket: string;
  /** The environment the CLI reads its S3 settings from. */
  env: Record<string, string>;
}

/**
 * A fresh bucket on `server` (or DATALAKE_S3_BUCKET when set), and the environment that points the
 * CLI at it. Call it from a `beforeAll`.
 */
export async function s3Target(server: S3Connection): Promise<S3Target> {
  const { endpoint, region } = server;
  const { accessKeyId: accessKey, secretAccessKey: secretKey } = server.credentials;
  const bucket = process.env.DATALAKE_S3_BUCKET ?? `cli-test-${randomUUID().slice(0, 8)}`;
  await createBucket(endpoint, bucket, { accessKey, secretKey, region });
  return {
    endpoint,
    bucket,
    env: {
      S3_ENDPOINT: endpoint,
      AWS_ACCESS_KEY_ID: accessKey,
      AWS_SECRET_ACCESS_KEY: secretKey,
      AWS_REGION: region,
    },
  };
}

interface Signer {
  accessKey: string;
  secretKey: string;
  region: string;
}

/** One signed (AWS Signature V4) CreateBucket request; an existing bucket of ours is fine. */
async function createBucket(endpoint: string, bucket: string, signer: Signer): Promise<void> {
  const url = new URL(`/${bucket}`, endpoint);
  const amzDate = new Date()
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
  const day = amzDate.slice(0, 8);
  const payloadHash = createHash('sha256').update('').digest('hex');
  const canonical = [
    'PUT',
    url.pathname,
    '',
    `host:${url.host}`,
    `x-amz-content-sha256:${payloadHash}`,
    `x-amz-date:${amzDate}`,
    '',
    'host;x-amz-content-sha256;x-amz-date',
    payloadHash,
  ].join('\n');
  const scope = `${day}/${signer.region}/s3/aws4_request`;
  const toSign = [
    'AWS4-HMAC-SHA256',
    amzDate,
    scope,
    createHash('sha256').update(canonical).digest('hex'),
  ].join('\n');
  let key: Buffer = createHmac('sha256', `AWS4${signer.secretKey}`).update(day).digest();
  for (const part of [signer.region, 's3', 'aws4_request'])
    key = createHmac('sha256', key).update(part).digest();
  const signature = createHmac('sha256', key).update(toSign).digest('hex');
  const response = await fetch(url, {
    method: 'PUT',
    headers: {
      'x-amz-date': amzDate,
      'x-amz-content-sha256': payloadHash,
      authorization: `AWS4-HMAC-SHA256 Credential=${signer.accessKey}/${scope}, SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature=${signature}`,
    },
  });
  if (!response.ok && response.status !== 409) {
    throw new Error(`cannot create test bucket ${bucket}: HTTP ${response.status} ${await response.text()}`);
  }
}
