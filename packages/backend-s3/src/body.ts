import { type BodyInput, bodyChunks, ValidationError } from '@datalake/core';

/** The body's chunks, checked against the length the caller announced (if any). */
export async function* measuredChunks(
  body: BodyInput,
  expectedLength: number | undefined,
  key: string,
): AsyncGenerator<Uint8Array> {
  let total = 0;
  for await (const chunk of bodyChunks(body)) {
    total += chunk.byteLength;
    if (expectedLength !== undefined && total > expectedLength)
      throw lengthMismatch(key, expectedLength, 'more');
    yield chunk;
  }
  if (expectedLength !== undefined && total !== expectedLength)
    throw lengthMismatch(key, expectedLength, 'fewer');
}

function lengthMismatch(key: string, expected: number, direction: 'more' | 'fewer'): ValidationError {
  return new ValidationError(
    `body of ${JSON.stringify(key)} has ${direction} bytes than the contentLength of ${expected} announced`,
    { details: { key, contentLength: expected } },
  );
}

/** The first bytes of a stream, up to just past `limit`, and whether the stream ended within them. */
export interface StreamHead {
  chunks: Uint8Array[];
  size: number;
  ended: boolean;
}

export async function readHead(source: AsyncIterator<Uint8Array>, limit: number): Promise<StreamHead> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  while (size <= limit) {
    const next = await source.next();
    if (next.done) return { chunks, size, ended: true };
    chunks.push(next.value);
    size += next.value.byteLength;
  }
  return { chunks, size, ended: false };
}

/** The head's chunks followed by whatever the source still holds. */
export async function* rejoin(head: StreamHead, rest: AsyncIterator<Uint8Array>): AsyncGenerator<Uint8Array> {
  yield* head.chunks;
  for (let next = await rest.next(); !next.done; next = await rest.next()) yield next.value;
}

/** Passes chunks through and reports the first error the source throws before rethrowing it. */
export async function* watchErrors(
  source: AsyncIterable<Uint8Array>,
  onError: (error: unknown) => void,
): AsyncGenerator<Uint8Array> {
  try {
    yield* source;
  } catch (error) {
    onError(error);
    throw error;
  }
}
