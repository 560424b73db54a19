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
