import type { ByteRange } from '@datalake/model';
import { ValidationError } from '@datalake/model';

/** Throws `ValidationError` unless `range` is well formed (integers, `0 <= start <= end`). */
export function assertValidRange(range: ByteRange, key: string): void {
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
}

/**
 * The inclusive byte span a range selects in an object of `size` bytes, following the contract: an
 * `end` past the object is clamped; a `start` at or past the end of a non-empty object is a
 * `ValidationError`. `undefined` for an empty object, which has no bytes to address.
 */
export function resolveRange(
  range: ByteRange,
  size: number,
  key: string,
): { start: number; end: number } | undefined {
  assertValidRange(range, key);
  if (size === 0) return undefined;
  if (range.start >= size) {
    throw new ValidationError(
      `range start ${range.start} lies past the end of ${JSON.stringify(key)} (${size} bytes)`,
      {
        details: { key, size },
      },
    );
  }
  return { start: range.start, end: Math.min(range.end ?? size - 1, size - 1) };
}
