import type { ContentInput } from '@datalake/core';
import { ValidationError } from '@datalake/core';

const encoder = new TextEncoder();

/** A request body for content: bytes as they are, streams streamed (never collected first). */
export function contentBody(content: ContentInput): {
  body: Uint8Array | ReadableStream<Uint8Array>;
  length?: number;
} {
  if (typeof content === 'string') {
    const bytes = encoder.encode(content);
    return { body: bytes, length: bytes.byteLength };
  }
  if (content instanceof Uint8Array) return { body: content, length: content.byteLength };
  if (content && (Symbol.asyncIterator in content || Symbol.iterator in content)) {
    return { body: streamOf(content as AsyncIterable<Uint8Array> | Iterable<Uint8Array>) };
  }
  throw new ValidationError('content must be a string, a Uint8Array or an (async) iterable of Uint8Array');
}

function streamOf(source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>): ReadableStream<Uint8Array> {
  const iterator =
    Symbol.asyncIterator in source
      ? (source as AsyncIterable<Uint8Array>)[Symbol.asyncIterator]()
      : (source as Iterable<Uint8Array>)[Symbol.iterator]();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      let next: IteratorResult<Uint8Array>;
      try {
        next = await iterator.next();
      } catch (error) {
        controller.error(new SourceError(error));
        return;
      }
      if (next.done) {
        controller.close();
        return;
      }
      if (!(next.value instanceof Uint8Array)) {
        controller.error(new ValidationError('content chunks must be Uint8Array'));
        return;
      }
      // A copy: the producer may reuse its buffer once it is handed on.
      controller.enqueue(next.value.slice());
    },
    async cancel(reason) {
      await iterator.return?.(reason);
    },
  });
}

/** Marks an error thrown by the caller's own content, so it reaches the caller unchanged, not as a network error. */
class SourceError extends Error {
  constructor(readonly original: unknown) {
    super('the content stream failed');
  }
}

/** The caller's content error somewhere in a fetch failure's cause chain, if that is what failed. */
export function sourceErrorIn(error: unknown): unknown {
  for (let current = error, depth = 0; current && depth < 5; depth++) {
    if (current instanceof SourceError) return current.original;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}
