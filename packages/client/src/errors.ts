import {
  BackendError,
  ClosedError,
  ConflictError,
  CorruptDataError,
  DataLakeError,
  type DataLakeErrorCode,
  type DataLakeErrorOptions,
  NotFoundError,
  PreconditionFailedError,
  ReadOnlyError,
  RetentionError,
  TooLargeError,
  ValidationError,
} from '@datalake/core';

/**
 * No valid token: missing, malformed, unknown, expired or revoked (HTTP 401). Its `code` is
 * `'UNAUTHORIZED'`, a code of the server's access control beside the lake's own.
 */
export class UnauthorizedError extends DataLakeError {
  constructor(message: string, options?: DataLakeErrorOptions) {
    super('UNAUTHORIZED' as DataLakeErrorCode, message, options);
  }
}

/** The token may see the entry but not do this to it, or is not an admin token (HTTP 403, `code` `'FORBIDDEN'`). */
export class ForbiddenError extends DataLakeError {
  constructor(message: string, options?: DataLakeErrorOptions) {
    super('FORBIDDEN' as DataLakeErrorCode, message, options);
  }
}

/** An RFC 9457 problem as the server sends it. */
export interface Problem {
  type?: string;
  title?: string;
  status?: number;
  code?: string;
  detail?: string;
  details?: Record<string, unknown>;
}

type ErrorClass = new (message: string, options?: DataLakeErrorOptions) => DataLakeError;

const CLASSES: Record<string, ErrorClass> = {
  NOT_FOUND: NotFoundError,
  VALIDATION: ValidationError,
  CONFLICT: ConflictError,
  PRECONDITION_FAILED: PreconditionFailedError,
  BACKEND: BackendError,
  CLOSED: ClosedError,
  CORRUPT: CorruptDataError,
  READ_ONLY: ReadOnlyError,
  TOO_LARGE: TooLargeError,
  RETENTION: RetentionError,
  UNAUTHORIZED: UnauthorizedError,
  FORBIDDEN: ForbiddenError,
};

/** The error a problem answer stands for: the same class and code the lake would have thrown. */
export function errorFromProblem(status: number, problem: Problem | undefined, what: string): DataLakeError {
  const message = problem?.detail ?? problem?.title ?? `${what}: HTTP ${status}`;
  const options = { details: { ...(problem?.details ?? {}), status } };
  const known = problem?.code ? CLASSES[problem.code] : undefined;
  if (known) return new known(message, options);
  if (status === 401) return new UnauthorizedError(message, options);
  if (status === 403) return new ForbiddenError(message, options);
  if (status === 404) return new NotFoundError(message, options);
  if (status === 413) return new TooLargeError(message, options);
  if (status >= 400 && status < 500) return new ValidationError(message, options);
  return new BackendError(`the server failed: ${message}`, options);
}
