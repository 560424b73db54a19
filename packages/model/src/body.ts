import type { BodyInput } from './types.js';

/** Reads a whole body into one buffer. */
export async function collectBody(body: AsyncIterable<Uint8Array> | Uint8Array): Promise<Uint8Array> {
  if (body instanceof Uint8Array) return body;
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
export async function* bodyChunks(body: BodyInput): AsyncIterable<Uint8Array> {
  if (body instanceof Uint8Array) {
    if (body.byteLength > 0) yield body;
    return;
  }
  for await (const chunk of body) {
    if (!(chunk instanceof Uint8Array)) {
      throw new TypeError('a streamed body must yield Uint8Array chunks');
    }
    if (chunk.byteLength > 0) yield chunk;
  }
}
