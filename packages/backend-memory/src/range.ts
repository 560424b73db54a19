import { type ByteRange, ValidationError } from '@datalake/core';

/**
 * Turns a requested range into the inclusive byte span to return, following the contract:
 * `end` past the object is clamped, `start` at or past the end of a non-empty object is an error.
 * `undefined` for an empty object, which has no bytes to address.
 */
export function resolveRange(
  range: ByteRange,
  size: number,
  key: string,
): { start: number; end: number } | undefined {
  const { start, end } = range;
  if (!Number.isSafeInteger(start) || start < 0) {
    throw new ValidationError(`range start must be a non-negative integer, got ${start}`, {
      details: { key },
    });
  }
  if (end !== undefined && (!Number.isSafeInteger(end) || end < start)) {
    throw new ValidationError(`range end must be an integer not below start ${start}, got ${end}`, {
      details: { key },
    });
  }
  if (size === 0) return undefined;
  if (start >= size) {
    throw new ValidationError(
      `range start ${start} lies past the end of ${JSON.stringify(key)} (${size} bytes)`,
      { details: { key, size } },
    );
  }
  return { start, end: Math.min(end ?? size - 1, size - 1) };
}
