import type { ApiError } from '../api.js';

const WHAT: Record<string, string> = {
  VALIDATION: 'Invalid input',
  UNAUTHORIZED: 'Not signed in',
  FORBIDDEN: 'Not allowed',
  NOT_FOUND: 'Not found',
  CONFLICT: 'Conflict',
  TOO_LARGE: 'Too large',
  NETWORK: 'No connection',
};

/** An error as the server said it: what kind (its code), and its own words. */
export function ErrorNote({ error }: { error: ApiError | undefined }) {
  if (!error) return null;
  return (
    <p class="error" role="alert">
      <strong>{WHAT[error.code] ?? 'Error'}</strong> ({error.code}
      {error.status ? `, HTTP ${error.status}` : ''}): {error.message}
    </p>
  );
}

export function Loading({ what }: { what: string }) {
  return (
    <p class="muted" role="status">
      Loading {what}…
    </p>
  );
}
