import { createHash } from 'node:crypto';
import type { ContentInput } from '@datalake/model';
import { ValidationError } from '@datalake/model';

const encoder = new TextEncoder();

/** Turns any accepted content into a stream of byte chunks, without reading a stream ahead of time. */
export function contentChunks(content: ContentInput): Uint8Array | AsyncIterable<Uint8Array> {
  if (typeof content === 'string') return encoder.encode(content);
  if (content instanceof Uint8Array) return content;
  if (content && typeof (content as AsyncIterable<Uint8Array>)[Symbol.asyncIterator] === 'function') {
    return checkedChunks(content as AsyncIterable<Uint8Array>);
  }
  if (content && typeof (content as Iterable<Uint8Array>)[Symbol.iterator] === 'function') {
    return checkedChunks(content as Iterable<Uint8Array>);
  }
  throw new ValidationError(
    'content must be a string, a Uint8Array, or an (async) iterable of Uint8Array chunks',
  );
}

async function* checkedChunks(source: AsyncIterable<unknown> | Iterable<unknown>): AsyncIterable<Uint8Array> {
  for await (const chunk of source) {
    if (chunk instanceof Uint8Array) {
      if (chunk.byteLength > 0) yield chunk;
    } else if (typeof chunk === 'string') {
      yield encoder.encode(chunk);
    } else {
      throw new ValidationError('a content stream must yield Uint8Array (or string) chunks');
    }
  }
}

/**
 * SHA-256 and size of content as it flows to the backend, keeping a copy of contents up to
 * `captureLimit` bytes for the search index (and no more than that, whatever the content's size).
 */
export class ContentDigest {
  private readonly hash = createHash('sha256');
  private captured: Uint8Array[] | undefined = [];
  size = 0;

  constructor(private readonly captureLimit: number) {}

  /** `owned`: the chunk will not be reused by its producer, so it can be kept without a copy. */
  observe(chunk: Uint8Array, owned: boolean): void {
    this.hash.update(chunk);
    this.size += chunk.byteLength;
    if (this.captured && this.size <= this.captureLimit) this.captured.push(owned ? chunk : chunk.slice());
    else this.captured = undefined;
  }

  sha256(): string {
    return this.hash.digest('hex');
  }

  /** The whole content, when it was small enough to keep. */
  bytes(): Uint8Array | null {
    if (!this.captured) return null;
    return this.captured.length === 1 ? (this.captured[0] as Uint8Array) : Buffer.concat(this.captured);
  }
}

/** Passes a body through `digest` on its way to the backend. */
export function digesting(
  body: Uint8Array | AsyncIterable<Uint8Array>,
  digest: ContentDigest,
): Uint8Array | AsyncIterable<Uint8Array> {
  if (body instanceof Uint8Array) {
    digest.observe(body, true);
    return body;
  }
  return (async function* () {
    for await (const chunk of body) {
      digest.observe(chunk, false);
      yield chunk;
    }
  })();
}

/** SHA-256 and size of a body, hashed as it streams by (never held whole in memory). */
export async function digestBody(
  body: AsyncIterable<Uint8Array> | Uint8Array,
): Promise<{ sha256: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of body instanceof Uint8Array ? [body] : body) {
    hash.update(chunk);
    size += chunk.byteLength;
  }
  return { sha256: hash.digest('hex'), size };
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}
