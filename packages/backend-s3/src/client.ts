import { S3Client } from '@aws-sdk/client-s3';
import type { ResolvedTuning, S3BackendOptions } from './options.js';

/**
 * Builds a client suited to any S3 implementation, not just AWS: path-style addressing, and
 * checksums only where an operation requires them (the SDK's default sends streamed bodies
 * aws-chunked with a checksum trailer, which Ceph RGW and older MinIO answer with 411).
 */
export function createS3Client(options: S3BackendOptions, tuning: ResolvedTuning): S3Client {
  // Sockets are a backstop above the backend's own request limit: response bodies still being
  // read keep their socket after the request slot has been released.
  // Agent options, not agents: the SDK then waits for "100 Continue" before sending a body of
  // 2 MiB or more (with agents of the caller's it sends at once). MinIO refuses a failed
  // conditional PUT before reading the body and closes the connection, so a body already on its
  // way fails with ECONNRESET instead of the 412 the server sent.
  const agentOptions = { keepAlive: true, maxSockets: tuning.maxConcurrency * 2 };
  return new S3Client({
    ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint }),
    ...(options.credentials === undefined ? {} : { credentials: options.credentials }),
    region: options.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1',
    forcePathStyle: options.forcePathStyle ?? true,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    maxAttempts: tuning.maxAttempts,
    retryMode: 'standard',
    requestHandler: {
      connectionTimeout: tuning.connectTimeoutMs,
      socketTimeout: tuning.socketTimeoutMs,
      httpAgent: agentOptions,
      httpsAgent: agentOptions,
    },
  });
}
