import { BackendError, type DataLakeErrorCode, isDataLakeError } from '@datalake/model';

const CODES: ReadonlySet<string> = new Set<DataLakeErrorCode>([
  'NOT_FOUND',
  'VALIDATION',
  'CONFLICT',
  'PRECONDITION_FAILED',
  'BACKEND',
  'CLOSED',
  'CORRUPT',
  'READ_ONLY',
  'TOO_LARGE',
]);

/**
 * The error to hand on for what an adapter threw: typed errors as they are (also those of another
 * copy of this package, recognised by their code), anything else wrapped in a `BackendError` that
 * names the backend, the operation and the key.
 */
export function typedError(error: unknown, description: string, operation: string, key: string): Error {
  if (isDataLakeError(error)) return error;
  const code = (error as { code?: unknown } | null)?.code;
  if (error instanceof Error && typeof code === 'string' && CODES.has(code)) return error;
  const reason = error instanceof Error ? error.message : String(error);
  return new BackendError(`${operation} of ${JSON.stringify(key)} failed on ${description}: ${reason}`, {
    cause: error,
    details: { operation, key },
  });
}

/** An adapter broke the contract (returned something the front cannot hand on). */
export function contractBreach(
  description: string,
  operation: string,
  key: string,
  problem: string,
): BackendError {
  return new BackendError(
    `${description} broke the storage contract in ${operation} of ${JSON.stringify(key)}: ${problem}`,
    {
      details: { operation, key },
    },
  );
}
