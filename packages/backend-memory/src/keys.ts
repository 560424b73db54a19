import { assertValidKey, ValidationError } from '@datalake/core';

// With the `u` flag a surrogate pair is one code point, so this only matches unpaired halves.
const LONE_SURROGATE = /\p{Cs}/u;

/**
 * Core's key rule plus well-formed UTF-16: a lone surrogate has no UTF-8 form, so two such keys
 * could collide in any store that encodes keys.
 */
export function assertStorageKey(key: string): void {
  assertValidKey(key);
  if (LONE_SURROGATE.test(key)) {
    throw new ValidationError(
      `invalid storage key ${JSON.stringify(key)}: it contains a lone UTF-16 surrogate`,
      {
        details: { key },
      },
    );
  }
}

/**
 * A prefix is usable when some valid key could start with it: `''`, or a string that becomes a
 * valid key once a character is appended (so `'a/'` and `'notes/dra'` pass, `'../'` does not).
 */
export function assertListPrefix(prefix: string): void {
  if (typeof prefix !== 'string') throw new ValidationError('list prefix must be a string');
  if (prefix === '') return;
  try {
    assertStorageKey(`${prefix}x`);
  } catch (error) {
    throw new ValidationError(`invalid list prefix ${JSON.stringify(prefix)}: no valid key starts with it`, {
      cause: error,
      details: { prefix },
    });
  }
}
