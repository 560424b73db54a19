import { ConflictError } from '@datalake/model';

/** Attempts of one compare-and-swap write before it gives up with `ConflictError`. */
export const WRITE_ATTEMPTS = 10;

/** What an attempt asks for when it did not finish: try again at once, or after a randomised pause. */
export const RETRY_NOW: unique symbol = Symbol('retry now');
export const RETRY_AFTER_PAUSE: unique symbol = Symbol('retry after a pause');
export type Retry = typeof RETRY_NOW | typeof RETRY_AFTER_PAUSE;

/**
 * The one retry loop of the write protocol: runs `attempt` until it returns a result, pausing
 * (randomised exponential backoff) when it lost a race. After `WRITE_ATTEMPTS` attempts the entry
 * `id` is taken to keep changing under concurrent writers.
 */
export async function retryWrite<T>(
  id: string,
  attempt: (attempt: number) => Promise<T | Retry>,
): Promise<T> {
  for (let n = 0; n < WRITE_ATTEMPTS; n++) {
    const result = await attempt(n);
    if (result === RETRY_AFTER_PAUSE) await pause(n);
    else if (result !== RETRY_NOW) return result;
  }
  throw new ConflictError(`entry ${id} kept changing under concurrent writers; try again`, {
    details: { id },
  });
}

/** Randomised exponential backoff between compare-and-swap attempts (about 6 s in all, at most). */
function pause(attempt: number): Promise<void> {
  const ms = Math.min(1500, 10 * 2 ** attempt) * (0.5 + Math.random());
  return new Promise((resolve) => setTimeout(resolve, ms));
}
