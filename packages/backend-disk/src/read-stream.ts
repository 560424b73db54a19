import type { DiskFileHandle } from './disk-fs.js';

export const READ_CHUNK_BYTES = 256 * 1024;

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
