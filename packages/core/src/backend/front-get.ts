import type { ByteRange, GetResult, ObjectInfo } from '@datalake/model';
import { BytesBody, ValidationError } from '@datalake/model';
import { contractBreach } from './front-errors.js';

/** Stops reading a body the caller will never see (releases its file handle or socket). */
export async function discardBody(body: AsyncIterable<Uint8Array>): Promise<void> {
  await body[Symbol.asyncIterator]().return?.();
}

/** Checks the object information an adapter returned; the key is always the one asked for. */
export function checkedInfo<T extends ObjectInfo>(
  description: string,
  operation: string,
  key: string,
  info: T,
): T {
  if (!Number.isSafeInteger(info.size) || info.size < 0) {
    throw contractBreach(
      description,
      operation,
      key,
      `size ${String(info.size)} is not a non-negative integer`,
    );
  }
  if (typeof info.etag !== 'string' || info.etag === '') {
    throw contractBreach(
      description,
      operation,
      key,
      `etag ${JSON.stringify(info.etag)} is not a non-empty string`,
    );
  }
  return info.key === key ? info : { ...info, key };
}

/**
 * The result to hand on for an adapter's answer to `get(key, { range })`: the range clamped to the
 * object, a start past the end refused, and a body that must hold exactly the bytes it promises.
 */
export function checkedGetResult(
  description: string,
  key: string,
  range: ByteRange | undefined,
  result: GetResult,
): GetResult | Promise<GetResult> {
  const info = checkedInfo(description, 'get', key, result);
  // The common case, a whole object read, needs no await: small reads stay cheap.
  if (range === undefined) {
    const { range: _returned, body, ...rest } = info;
    return { ...rest, body: exactly(description, key, body, info.size) };
  }
  return checkedRangeResult(description, key, range, info);
}

async function checkedRangeResult(
  description: string,
  key: string,
  range: ByteRange,
  info: GetResult,
): Promise<GetResult> {
  const { range: returned, body, ...rest } = info;
  if (info.size === 0) {
    await discardBody(body);
    return { ...rest, body: exactly(description, key, emptyBody(), 0) };
  }
  if (range.start >= info.size) {
    await discardBody(body);
    throw new ValidationError(
      `range start ${range.start} lies past the end of ${JSON.stringify(key)} (${info.size} bytes)`,
      { details: { key, size: info.size } },
    );
  }
  const span = { start: range.start, end: Math.min(range.end ?? info.size - 1, info.size - 1) };
  if (returned !== undefined && (returned.start !== span.start || returned.end !== span.end)) {
    await discardBody(body);
    throw contractBreach(
      description,
      'get',
      key,
      `asked for bytes ${span.start}-${span.end} of ${info.size}, it answered with ${returned.start}-${returned.end}`,
    );
  }
  return { ...rest, range: span, body: exactly(description, key, body, span.end - span.start + 1) };
}

async function* emptyBody(): AsyncIterable<Uint8Array> {}

/** Passes the body on, failing (at its end, for a stream) when it does not hold `expected` bytes. */
function exactly(
  description: string,
  key: string,
  body: AsyncIterable<Uint8Array>,
  expected: number,
): AsyncIterable<Uint8Array> {
  // A body held in memory is checked at once; a mismatch is still reported when the body is read.
  if (body instanceof BytesBody && body.bytes.byteLength === expected) return body;
  return exactlyStreamed(description, key, body, expected);
}

async function* exactlyStreamed(
  description: string,
  key: string,
  body: AsyncIterable<Uint8Array>,
  expected: number,
): AsyncIterable<Uint8Array> {
  let total = 0;
  for await (const chunk of body) {
    if (!(chunk instanceof Uint8Array))
      throw contractBreach(description, 'get', key, 'the body yielded a non-Uint8Array chunk');
    total += chunk.byteLength;
    if (total > expected)
      throw contractBreach(
        description,
        'get',
        key,
        `the body holds more than the ${expected} bytes announced`,
      );
    if (chunk.byteLength > 0) yield chunk;
  }
  if (total !== expected) {
    throw contractBreach(description, 'get', key, `the body held ${total} bytes, ${expected} were announced`);
  }
}
