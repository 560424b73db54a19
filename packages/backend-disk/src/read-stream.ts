import type { ByteRange } from '@datalake/core';
import { ValidationError } from '@datalake/core';
import type { DiskFileHandle } from './disk-fs.js';

export const READ_CHUNK_BYTES = 256 * 1024;

/** The inclusive byte range to return from an object of `size` bytes, or `undefined` for all of it. */
export function resolveRange(
  key: string,
  size: number,
  range: ByteRange | undefined,
): { start: number; end: number } | undefined {
  if (range === undefined) return undefined;
  const { start, end } = range;
  if (!Number.isSafeInteger(start) || start < 0) {
    throw new ValidationError(`range start must be a non-negative integer, got ${start}`, {
      details: { key },
    });
  }
  if (end !== undefined && (!Number.isSafeInteger(end) || end < start)) {
    throw new ValidationError(`range end must be an integer at or after the start, got ${start}-${end}`, {
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

/**
 * Reads `[start, end]` of an already open file in chunks, closing the handle when the reader is
 * done (or stops early). Reading from the handle, not the path, means a concurrent replace of the
 * object (a rename over it) cannot mix two versions into one read.
 */
export async function* readChunks(
  handle: DiskFileHandle,
  start: number,
  end: number,
  onError: (error: unknown) => unknown,
): AsyncGenerator<Uint8Array> {
  try {
    let position = start;
    while (position <= end) {
      const length = Math.min(READ_CHUNK_BYTES, end - position + 1);
      const buffer = new Uint8Array(length);
      let bytesRead: number;
      try {
        ({ bytesRead } = await handle.read(buffer, 0, length, position));
      } catch (error) {
        throw onError(error);
      }
      if (bytesRead === 0) return;
      position += bytesRead;
      yield bytesRead === length ? buffer : buffer.subarray(0, bytesRead);
    }
  } finally {
    await handle.close().catch(() => undefined);
  }
}
