import { PreconditionFailedError, ValidationError } from './errors.js';

/**
 * The one condition of a write: overwrite whatever is there, create only if nothing is there, or
 * replace only the version named by its etag. Being one value, contradictory conditions cannot be
 * written. Build it with `PutMode.overwrite`, `PutMode.create` or `PutMode.replace(etag)`.
 */
export type PutMode =
  | { readonly kind: 'overwrite' }
  | { readonly kind: 'create' }
  | { readonly kind: 'replace'; readonly etag: string };
type PutModeValue = PutMode;

const OVERWRITE: PutModeValue = Object.freeze({ kind: 'overwrite' });
const CREATE: PutModeValue = Object.freeze({ kind: 'create' });

/** The conditions a put can carry: exactly one of them per write. */
export const PutMode = Object.freeze({
  /** Write whatever is there (the default). */
  overwrite: OVERWRITE,
  /** Write only if no object exists under the key (conditional create). */
  create: CREATE,
  /** Write only if the current object's etag is `etag` (compare-and-swap). */
  replace: (etag: string): PutModeValue => Object.freeze({ kind: 'replace', etag }),
});

/** The same condition in the shape of HTTP's `If-Match` / `If-None-Match` headers. */
export interface HttpCondition {
  ifMatch?: string;
  ifNoneMatch?: '*';
}

/** Throws `ValidationError` unless `mode` is a well-formed `PutMode`; returns it (default: overwrite). */
export function checkedPutMode(mode: unknown, key: string): PutModeValue {
  if (mode === undefined) return OVERWRITE;
  const kind = (mode as { kind?: unknown } | null)?.kind;
  if ((kind === 'overwrite' || kind === 'create') && (mode as { etag?: unknown }).etag !== undefined) {
    // An etag beside "overwrite" or "create" asks for two conditions at once (If-Match and If-None-Match).
    throw new ValidationError(
      `put of ${JSON.stringify(key)}: mode "${kind}" takes no etag; use PutMode.replace(etag) to replace one version`,
      { details: { key } },
    );
  }
  if (kind === 'overwrite') return OVERWRITE;
  if (kind === 'create') return CREATE;
  if (kind === 'replace') {
    const etag = (mode as { etag?: unknown }).etag;
    if (typeof etag === 'string' && etag !== '') return PutMode.replace(etag);
    throw new ValidationError(`put of ${JSON.stringify(key)}: mode "replace" needs a non-empty etag`, {
      details: { key },
    });
  }
  throw new ValidationError(
    `put of ${JSON.stringify(key)}: mode must be PutMode.overwrite, PutMode.create or PutMode.replace(etag)`,
    { details: { key } },
  );
}

/** A checked mode as `If-Match` / `If-None-Match` values, for backends that speak HTTP conditions. */
export function httpCondition(mode: unknown, key: string): HttpCondition {
  const checked = checkedPutMode(mode, key);
  if (checked.kind === 'create') return { ifNoneMatch: '*' };
  if (checked.kind === 'replace') return { ifMatch: checked.etag };
  return {};
}

/**
 * For adapters that check conditions themselves: throws `PreconditionFailedError` unless `mode`
 * holds for an object whose current etag is `currentEtag` (`undefined`: no object).
 */
export function assertModeHolds(key: string, mode: PutMode, currentEtag: string | undefined): void {
  if (mode.kind === 'create' && currentEtag !== undefined) {
    throw new PreconditionFailedError(`put of ${JSON.stringify(key)} refused: the object already exists`, {
      details: { key, actual: currentEtag },
    });
  }
  if (mode.kind === 'replace') assertEtagHolds('put', key, mode.etag, currentEtag);
}

/** Throws `PreconditionFailedError` unless `expected` (if given) is the current etag. */
export function assertEtagHolds(
  operation: 'put' | 'delete',
  key: string,
  expected: string | undefined,
  currentEtag: string | undefined,
): void {
  if (expected === undefined || expected === currentEtag) return;
  const problem =
    currentEtag === undefined
      ? `the object does not exist (expected etag ${expected})`
      : `its etag is ${currentEtag}, not ${expected}`;
  throw new PreconditionFailedError(`${operation} of ${JSON.stringify(key)} refused: ${problem}`, {
    details: { key, expected, actual: currentEtag ?? null },
  });
}
