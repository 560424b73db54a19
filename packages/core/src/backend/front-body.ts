import type { BodyInput } from '@datalake/model';
import { BytesBody, bodyChunks, ValidationError } from '@datalake/model';

/** What a put's body turned out to hold, once the adapter has read it. */
export interface BodyTally {
  /** Bytes the adapter read; `undefined` until the stream has ended. */
  bytes: number | undefined;
}

/**
 * The body to hand an adapter: a buffer as it is (its length checked against `contentLength` at
 * once), a stream checked chunk by chunk (only `Uint8Array`s, empty ones dropped) whose total must
 * equal `contentLength`, else the stream throws a `ValidationError` and the adapter stores nothing.
 */
export function checkedBody(
  key: string,
  body: BodyInput,
  contentLength: number | undefined,
): { body: BodyInput; tally: BodyTally } {
  if (body instanceof BytesBody) body = body.bytes;
  if (body instanceof Uint8Array) {
    if (contentLength !== undefined && contentLength !== body.byteLength)
      throw lengthMismatch(key, body.byteLength, contentLength);
    return { body, tally: { bytes: body.byteLength } };
  }
  if (body === null || typeof body !== 'object' || !(Symbol.asyncIterator in body)) {
    throw new ValidationError(
      `put of ${JSON.stringify(key)}: the body must be a Uint8Array or an async iterable of them`,
      {
        details: { key },
      },
    );
  }
  const tally: BodyTally = { bytes: undefined };
  return { body: counted(key, body, contentLength, tally), tally };
}

async function* counted(
  key: string,
  body: AsyncIterable<Uint8Array>,
  contentLength: number | undefined,
  tally: BodyTally,
): AsyncIterable<Uint8Array> {
  let total = 0;
  for await (const chunk of bodyChunks(body)) {
    total += chunk.byteLength;
    if (contentLength !== undefined && total > contentLength)
      throw lengthMismatch(key, total, contentLength, 'at least ');
    yield chunk;
  }
  if (contentLength !== undefined && total !== contentLength) throw lengthMismatch(key, total, contentLength);
  tally.bytes = total;
}

function lengthMismatch(key: string, actual: number, declared: number, qualifier = ''): ValidationError {
  return new ValidationError(
    `put of ${JSON.stringify(key)}: the body has ${qualifier}${actual} bytes, but contentLength says ${declared}`,
    { details: { key, actual, contentLength: declared } },
  );
}
