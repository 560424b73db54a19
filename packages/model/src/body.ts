import type { BodyInput } from './types.js';

/**
 * A body whose bytes are all in memory: iterated, it yields them as one chunk (none when empty).
 * `collectBody` and the front's checks take the bytes directly, without a trip through the stream.
 */
export class BytesBody implements AsyncIterable<Uint8Array> {
  constructor(readonly bytes: Uint8Array) {}

  [Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    let done = this.bytes.byteLength === 0;
    return {
      next: async () => {
        if (done) return { done: true, value: undefined };
        done = true;
        return { done: false, value: this.bytes };
      },
      return: async () => {
        done = true;
        return { done: true, value: undefined };
      },
    };
  }
}

/** Reads a whole body into one buffer. */
export async function collectBody(body: AsyncIterable<Uint8Array> | Uint8Array): Promise<Uint8Array> {
  if (body instanceof Uint8Array) return body;
  if (body instanceof BytesBody) return body.bytes;
  const chunks: Uint8Array[] = [];
  for await (const chunk of body) chunks.push(chunk);
  return concatBytes(chunks);
}

/** Joins chunks into one buffer (the chunk itself when there is only one). */
export function concatBytes(chunks: readonly Uint8Array[]): Uint8Array {
  if (chunks.length === 1) return chunks[0] as Uint8Array;
  let total = 0;
  for (const chunk of chunks) total += chunk.byteLength;
  const out = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}

/** Views any body as a stream of chunks, none of them empty (an empty body has none). */
export function bodyChunks(body: BodyInput): AsyncIterable<Uint8Array> {
  if (body instanceof Uint8Array) return new BytesBody(body);
  if (body instanceof BytesBody) return body;
  return checkedChunks(body);
}

async function* checkedChunks(body: AsyncIterable<Uint8Array>): AsyncIterable<Uint8Array> {
  for await (const chunk of body) {
    if (!(chunk instanceof Uint8Array)) {
      throw new TypeError('a streamed body must yield Uint8Array chunks');
    }
    if (chunk.byteLength > 0) yield chunk;
  }
}
