import { Readable } from 'node:stream';
import type { Metadata } from '@datalake/core';
import { concatBytes, TooLargeError, ValidationError } from '@datalake/core';

/** Bodies declared this small are read whole before the lake sees them (see `contentOf`). */
export const WHOLE_BODY_MAX = 256 * 1024;

/**
 * Passes a request body through, failing with `TooLargeError` as soon as it exceeds `limit` bytes
 * (the lake then discards what it wrote) and with a `ValidationError` when the client went away
 * before sending it all, so an interrupted upload never becomes an entry.
 */
export async function* limitedBody(
  body: AsyncIterable<Uint8Array>,
  limit: number,
  declaredLength?: number,
): AsyncIterable<Uint8Array> {
  let total = 0;
  for await (const chunk of body) {
    total += chunk.byteLength;
    if (total > limit) throw tooLarge(limit);
    yield chunk;
  }
  if (declaredLength !== undefined && total !== declaredLength) {
    throw new ValidationError(`the body ended after ${total} of ${declaredLength} bytes`);
  }
}

/**
 * The content of an upload for the lake: a small body with a declared length is read whole first,
 * so the lake writes it as one buffer (its path claim and the content go out together, and the
 * search index reads it from memory); anything else is streamed through `limitedBody`. Either
 * way, a body that breaks off or exceeds the limit fails before anything is committed.
 */
export async function contentOf(
  body: AsyncIterable<Uint8Array>,
  limit: number,
  declared: number | undefined,
): Promise<Uint8Array | AsyncIterable<Uint8Array>> {
  if (declared !== undefined && declared <= WHOLE_BODY_MAX && body instanceof Readable)
    return readWholeBody(body, limit, declared);
  const limited = limitedBody(body, limit, declared);
  if (declared === undefined || declared > WHOLE_BODY_MAX) return limited;
  const chunks: Uint8Array[] = [];
  for await (const chunk of limited) chunks.push(chunk);
  return chunks.length === 1 ? (chunks[0] as Uint8Array) : concatBytes(chunks);
}

/**
 * A small body of declared length, read whole by the stream's events: what `limitedBody` checks
 * (the limit, a body that breaks off), without an async iterator and a promise per chunk, which
 * cost more than the reading on the request path of every small upload.
 */
export function readWholeBody(body: Readable, limit: number, declared: number): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    if (body.readableEnded) {
      if (declared === 0) resolve(new Uint8Array(0));
      else reject(new ValidationError(`the body ended after 0 of ${declared} bytes`));
      return;
    }
    const chunks: Buffer[] = [];
    let total = 0;
    const finish = (error: Error | undefined, value?: Uint8Array) => {
      body.off('data', onData);
      body.off('end', onEnd);
      body.off('error', onError);
      body.off('close', onClose);
      if (error) reject(error);
      else resolve(value as Uint8Array);
    };
    const onData = (chunk: Buffer) => {
      total += chunk.byteLength;
      if (total > limit) {
        // As an iterator left early would: the rest of the body is not read.
        body.destroy();
        finish(tooLarge(limit));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      if (total !== declared)
        finish(new ValidationError(`the body ended after ${total} of ${declared} bytes`));
      else finish(undefined, chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, total));
    };
    const onError = (error: Error) => finish(error);
    const onClose = () => {
      if (!body.readableEnded)
        finish(new ValidationError(`the body ended after ${total} of ${declared} bytes`));
    };
    body.on('data', onData);
    body.on('end', onEnd);
    body.on('error', onError);
    body.on('close', onClose);
  });
}

export function tooLarge(limit: number): TooLargeError {
  return new TooLargeError(`the body is larger than the limit of ${limit} bytes`, { details: { limit } });
}

/** The declared Content-Length, refused at once when it is over the limit. */
export function declaredLength(header: string | undefined, limit: number): number | undefined {
  if (header === undefined) return undefined;
  const length = Number(header);
  if (!Number.isSafeInteger(length) || length < 0) throw new ValidationError('invalid Content-Length');
  if (length > limit) throw tooLarge(limit);
  return length;
}

/** Metadata sent in the `Datalake-Metadata` header: a JSON object, percent-encoded (UTF-8). */
export function metadataFromHeader(header: string | undefined): Metadata | undefined {
  if (header === undefined) return undefined;
  let text: string;
  try {
    text = decodeURIComponent(header);
  } catch {
    throw new ValidationError('the Datalake-Metadata header is not valid percent-encoded UTF-8');
  }
  return parseMetadataJson(text, 'the Datalake-Metadata header');
}

export function parseMetadataJson(text: string, what: string): Metadata {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new ValidationError(`${what} is not valid JSON: ${(error as Error).message}`);
  }
  if (!value || typeof value !== 'object' || Array.isArray(value))
    throw new ValidationError(`${what} must be a JSON object`);
  return value as Metadata;
}
