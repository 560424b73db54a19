import { createHash, createHmac, randomUUID } from 'node:crypto';

export interface S3Target {
  endpoint: string;
  bucket: string;
  env: Record<string, string>;
}

/**
 * The S3 server of the test run (`S3_ENDPOINT` plus the AWS credentials), with a fresh bucket.
 * Undefined when no server is configured; on CI a missing server fails the run.
 */
export async function s3TargetOrSkip(): Promise<S3Target | undefined> {
  const endpoint = process.env.S3_ENDPOINT;
  if (!endpoint) {
    if (process.env.CI === 'true') throw new Error('S3_ENDPOINT is not set: CI must run the S3 tests');
    console.warn('notice: S3_ENDPOINT not set; skipping the S3 tests');
    return undefined;
  }
  const accessKey = process.env.AWS_ACCESS_KEY_ID ?? '';
  const secretKey = process.env.AWS_SECRET_ACCESS_KEY ?? '';
  const region = process.env.AWS_REGION ?? 'us-east-1';
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
