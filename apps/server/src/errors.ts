/** Codes the server adds to the lake's own (`DataLakeErrorCode`) for access control. */
export type AccessErrorCode = 'UNAUTHORIZED' | 'FORBIDDEN';

/**
 * A refused request: no valid token (401) or a token without the grant (403). Requests about
 * entries the caller cannot read get the lake's `NotFoundError` instead, so nothing leaks.
 */
export class AccessError extends Error {
  constructor(
    readonly code: AccessErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'AccessError';
  }

  get status(): number {
    return this.code === 'UNAUTHORIZED' ? 401 : 403;
  }
}

/** An HTTP-level refusal with a lake error code (a bad Range, an unsupported media type...). */
export class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'HttpProblem';
  }
}
