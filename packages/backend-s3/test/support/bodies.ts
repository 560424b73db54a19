import { createHash } from 'node:crypto';

export const text = (value: string) => new TextEncoder().encode(value);

export async function readAll(body: AsyncIterable<Uint8Array> | Iterable<Uint8Array>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}

/** Deterministic pseudo-random bytes, so large bodies need no fixtures. */
export function patternBytes(size: number, seed = 1): Uint8Array {
  const bytes = new Uint8Array(size);
  let state = seed >>> 0 || 1;
  for (let i = 0; i < size; i++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    bytes[i] = state & 0xff;
  }
  return bytes;
}

/** Streams `bytes` in chunks of `chunkSize`, optionally failing after `failAfter` bytes. */
export async function* streamOf(
  bytes: Uint8Array,
  chunkSize = 256 * 1024,
  failAfter?: number,
): AsyncGenerator<Uint8Array> {
  for (let offset = 0; offset < bytes.byteLength; offset += chunkSize) {
    if (failAfter !== undefined && offset >= failAfter) throw new Error('the source stream broke');
    yield bytes.subarray(offset, offset + chunkSize);
  }
}

export const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
