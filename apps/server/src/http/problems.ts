import { type DataLakeErrorCode, isDataLakeError } from '@datalake/core';
import { AccessError, HttpProblem } from '../errors.js';

/** The HTTP status of each error code. The body's `code` is what clients branch on. */
export const STATUS_OF_CODE: Record<DataLakeErrorCode | 'UNAUTHORIZED' | 'FORBIDDEN', number> = {
  VALIDATION: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  RETENTION: 409,
  PRECONDITION_FAILED: 412,
  TOO_LARGE: 413,
  CORRUPT: 500,
  BACKEND: 503,
  CLOSED: 503,
  READ_ONLY: 503,
};

const TITLES: Record<string, string> = {
  VALIDATION: 'Invalid request',
  UNAUTHORIZED: 'Authentication required',
  FORBIDDEN: 'Not allowed',
  NOT_FOUND: 'Not found',
  CONFLICT: 'Conflict',
  RETENTION: 'Refused by a retention rule or hold',
  PRECONDITION_FAILED: 'Precondition failed',
  TOO_LARGE: 'Too large',
  CORRUPT: 'Stored data is corrupt',
  BACKEND: 'Storage unavailable',
  CLOSED: 'Shutting down',
  READ_ONLY: 'The lake is read-only',
  INTERNAL: 'Internal error',
};

export interface Problem {
  type: string;
  title: string;
  status: number;
  code: string;
  detail: string;
  details?: Record<string, unknown>;
}

export interface ProblemAnswer {
  problem: Problem;
  headers: Record<string, string>;
  /** Not an error the server meant to give (a bug): worth logging with its stack. */
  unexpected: boolean;
}

export function problem(
  status: number,
  code: string,
  detail: string,
  details?: Record<string, unknown>,
): Problem {
  return {
    type: `urn:datalake:problem:${code.toLowerCase().replace(/_/g, '-')}`,
    title: TITLES[code] ?? 'Error',
    status,
    code,
    detail,
    ...(details && Object.keys(details).length > 0 ? { details } : {}),
  };
}

/** Fastify's own errors (bad JSON, body too large...) carry `code` FST_ERR_* and a status. */
interface FrameworkError extends Error {
  code?: string;
  statusCode?: number;
  validation?: unknown[];
  validationContext?: string;
}

/** Turns anything thrown by a route into a problem answer. Messages of unexpected errors are not shown. */
export function toProblem(error: unknown): ProblemAnswer {
  if (error instanceof AccessError) {
    const headers: Record<string, string> =
      error.code === 'UNAUTHORIZED' ? { 'www-authenticate': 'Bearer realm="datalake"' } : {};
    return { problem: problem(error.status, error.code, error.message), headers, unexpected: false };
  }
  if (error instanceof HttpProblem) {
    return {
      problem: problem(error.status, error.code, error.message),
      headers: error.headers,
      unexpected: false,
    };
  }
  if (isDataLakeError(error)) {
    const status = STATUS_OF_CODE[error.code] ?? 500;
    return {
      problem: problem(status, error.code, error.message, publicDetails(error.details)),
      headers: {},
      unexpected: false,
    };
  }
  const framework = error as FrameworkError;
  if (framework?.validation) {
    const where = framework.validationContext ?? 'request';
    return {
      problem: problem(400, 'VALIDATION', `invalid ${where}: ${framework.message}`),
      headers: {},
      unexpected: false,
    };
  }
  const status = framework?.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    const code = status === 413 ? 'TOO_LARGE' : status === 404 ? 'NOT_FOUND' : 'VALIDATION';
    return { problem: problem(status, code, framework.message), headers: {}, unexpected: false };
  }
  return {
    problem: problem(500, 'INTERNAL', 'the server failed to answer; the error is in its log'),
    headers: {},
    unexpected: true,
  };
}

/** Details the lake attaches name the caller's own input (id, path); nested causes stay in the log. */
function publicDetails(details: Record<string, unknown>): Record<string, unknown> | undefined {
  const kept: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(details)) {
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
      kept[key] = value;
  }
  return kept;
}
