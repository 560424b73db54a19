import { S3ServiceException } from '@aws-sdk/client-s3';
import { BackendError, DataLakeError, PreconditionFailedError, ValidationError } from '@datalake/core';

/** What was being done when a request failed, for the error message. */
export interface FailedCall {
  operation: string;
  /** The lake key, when the call was about one object. */
  key?: string;
  /** `s3://bucket/prefix`. */
  location: string;
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ECONNABORTED',
]);

export function httpStatusOf(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null || !('$metadata' in error)) return undefined;
  const metadata = (error as { $metadata?: { httpStatusCode?: number } }).$metadata;
  return metadata?.httpStatusCode;
}

export function isNotFound(error: unknown): boolean {
  return httpStatusOf(error) === 404 && !isNoSuchBucket(error);
}

export function isNoSuchBucket(error: unknown): boolean {
  return error instanceof Error && error.name === 'NoSuchBucket';
}

export function isPreconditionFailed(error: unknown): boolean {
  return httpStatusOf(error) === 412;
}

/** Turns whatever the SDK threw into the lake's typed errors, naming the S3 error and HTTP status. */
export function toDataLakeError(error: unknown, call: FailedCall): DataLakeError {
  if (error instanceof DataLakeError) return error;
  const what = `S3 ${call.operation}${call.key === undefined ? '' : ` of ${JSON.stringify(call.key)}`} in ${call.location}`;
  const details: Record<string, unknown> = { operation: call.operation };
  if (call.key !== undefined) details.key = call.key;
  const status = httpStatusOf(error);
  if (status !== undefined) details.httpStatus = status;
  if (error instanceof Error) details.s3Error = error.name;

  if (status === 412) {
    return new PreconditionFailedError(`${what} refused: the condition did not hold (HTTP 412)`, {
      cause: error,
      details,
    });
  }
  if (status === 416) {
    return new ValidationError(`${what} refused: the requested range is not satisfiable (HTTP 416)`, {
      cause: error,
      details,
    });
  }
  return new BackendError(`${what} failed: ${describeFailure(error, status)}`, { cause: error, details });
}

function describeFailure(error: unknown, status: number | undefined): string {
  if (!(error instanceof Error)) return String(error);
  if (error instanceof S3ServiceException || status !== undefined) {
    const hint = hintFor(error.name, status);
    const message = error.message && error.message !== 'UnknownError' ? `: ${error.message}` : '';
    return `${error.name} (HTTP ${status ?? 'unknown'})${hint ? ` - ${hint}` : ''}${message}`;
  }
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && NETWORK_CODES.has(code)) {
    return `the endpoint could not be reached or dropped the connection (${code}): ${error.message}`;
  }
  if (error.name === 'TimeoutError') return `the endpoint did not answer in time: ${error.message}`;
  if (error.name === 'AbortError') return `the request was aborted: ${error.message}`;
  return `${error.name}: ${error.message}`;
}

function hintFor(name: string, status: number | undefined): string | undefined {
  if (name === 'NoSuchBucket') return 'the bucket does not exist';
  if (name === 'InvalidAccessKeyId') return 'the access key is not known to the server';
  if (name === 'SignatureDoesNotMatch') return 'the secret key is wrong';
  if (status === 403) return 'access denied: check the credentials and the bucket policy';
  if (status === 503 || name === 'SlowDown')
    return 'the server is overloaded or unavailable (retries exhausted)';
  if (status !== undefined && status >= 500) return 'the server failed (retries exhausted)';
  return undefined;
}
