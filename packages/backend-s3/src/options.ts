import type { S3Client, S3ClientConfig } from '@aws-sdk/client-s3';
import { ValidationError } from '@datalake/core';

/** How to reach the bucket and how hard to push it. Every field except `bucket` is optional. */
export interface S3BackendOptions {
  /** The bucket holding the lake. It must exist. */
  bucket: string;
  /** Keeps this lake's objects under `prefix/` so several lakes can share one bucket. */
  prefix?: string;
  /**
   * A configured client to use instead of building one. The backend then does not destroy it on
   * `close()`, and the endpoint, credential, timeout and socket options below are ignored.
   */
  client?: S3Client;
  /** e.g. `http://127.0.0.1:7480`. Default: the SDK's resolution (AWS, or `AWS_ENDPOINT_URL`). */
  endpoint?: string;
  /** Default: the SDK's resolution (`AWS_REGION`, profile), else `us-east-1`. */
  region?: string;
  /** Default: the SDK's credential chain (`AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY`, profiles, roles). */
  credentials?: S3ClientConfig['credentials'];
  /** Address buckets as `endpoint/bucket` rather than `bucket.endpoint`. Default `true`. */
  forcePathStyle?: boolean;
  /**
   * Whether the server applies `If-None-Match`/`If-Match` on PUT atomically. When false the
   * backend checks conditions itself first (correct for one writer, racy between several), and
   * `DataLake.open` refuses the backend unless told `acceptNonAtomicWrites`. Required by
   * `new S3Backend()` (no silent default); `S3Backend.connect()` measures it when it is not given.
   */
  atomicConditionalWrites?: boolean;
  /** Whether the server enforces `If-Match` on DELETE. Default `false`; `S3Backend.connect()` measures it. */
  atomicConditionalDeletes?: boolean;
  /** Most S3 requests in flight at once; callers beyond that wait their turn. Default 32. */
  maxConcurrency?: number;
  /** Streams longer than this go up in parts (multipart upload). Default 8 MiB, at least 5 MiB. */
  multipartThreshold?: number;
  /** Size of each part of a multipart upload. Default 8 MiB, at least 5 MiB. */
  partSize?: number;
  /** Parts of one upload sent at once. Default 4. Memory per upload is about (this + 1) × `partSize`. */
  partConcurrency?: number;
  /** Give up connecting after this long. Default 5 000 ms. */
  connectTimeoutMs?: number;
  /** Give up on a connection that stays silent this long. Default 30 000 ms. */
  socketTimeoutMs?: number;
  /** Attempts per request, retries backing off exponentially on throttling, 5xx and network errors. Default 3. */
  maxAttempts?: number;
  /** Where a conditional write of a long stream of unknown length is staged before upload. Default: the OS temp dir. */
  spillDirectory?: string;
}

export const MIB = 1024 * 1024;
/** S3's smallest part (all parts but the last) and its largest single PUT. */
export const MIN_PART_BYTES = 5 * MIB;
export const MAX_SINGLE_PUT_BYTES = 5 * 1024 * MIB;

export interface ResolvedTuning {
  maxConcurrency: number;
  multipartThreshold: number;
  partSize: number;
  partConcurrency: number;
  connectTimeoutMs: number;
  socketTimeoutMs: number;
  maxAttempts: number;
}

export function resolveTuning(options: S3BackendOptions): ResolvedTuning {
  return {
    maxConcurrency: positiveInteger(options.maxConcurrency, 32, 'maxConcurrency'),
    multipartThreshold: Math.max(
      MIN_PART_BYTES,
      positiveInteger(options.multipartThreshold, 8 * MIB, 'multipartThreshold'),
    ),
    partSize: Math.max(MIN_PART_BYTES, positiveInteger(options.partSize, 8 * MIB, 'partSize')),
    partConcurrency: positiveInteger(options.partConcurrency, 4, 'partConcurrency'),
    connectTimeoutMs: positiveInteger(options.connectTimeoutMs, 5_000, 'connectTimeoutMs'),
    socketTimeoutMs: positiveInteger(options.socketTimeoutMs, 30_000, 'socketTimeoutMs'),
    maxAttempts: positiveInteger(options.maxAttempts, 3, 'maxAttempts'),
  };
}

function positiveInteger(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new ValidationError(`S3Backend option ${name} must be a positive integer, got ${value}`);
  }
  return value;
}
