import { type ByteRange, ValidationError } from '@datalake/core';

/** The `Range` header for a validated range. */
export function rangeHeader(range: ByteRange, key: string): string {
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
  return `bytes=${start}-${end ?? ''}`;
}

/** Parses `Content-Range: bytes 0-99/1234`. */
export function parseContentRange(
  header: string | undefined,
): { start: number; end: number; size: number } | undefined {
  const match = header === undefined ? null : /^bytes (\d+)-(\d+)\/(\d+)$/.exec(header.trim());
  if (!match) return undefined;
  return { start: Number(match[1]), end: Number(match[2]), size: Number(match[3]) };
}
