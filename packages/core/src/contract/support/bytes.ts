import { createHash } from 'node:crypto';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { concatBytes } from '@datalake/model';

export const KiB = 1024;
export const MiB = 1024 * KiB;

const utf8Encoder = new TextEncoder();

export function utf8(text: string): Uint8Array {
  return utf8Encoder.encode(text);
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Every byte value 0..255 once, in order. */
export function allByteValues(): Uint8Array {
  return Uint8Array.from({ length: 256 }, (_, index) => index);
}

/** Deterministic pseudo-random bytes (xorshift32), different for every seed. */
export function patternBytes(length: number, seed = 1): Uint8Array {
  const out = new Uint8Array(length);
  let state = (seed * 2654435761) >>> 0 || 1;
  for (let index = 0; index < length; index++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    out[index] = state & 0xff;
  }
  return out;
}

/**
 * Streams `bytes` in chunks of `chunkSize`, each a fresh copy, yielding to the event loop
 * between chunks so that concurrent operations really interleave.
 */
export async function* streamOf(bytes: Uint8Array, chunkSize = 64 * KiB): AsyncGenerator<Uint8Array> {
  for (let offset = 0; offset < bytes.byteLength; offset += chunkSize) {
    await nextTurn();
    yield bytes.slice(offset, offset + chunkSize);
  }
}

/** A stream that yields `bytes` and then fails, as a dropped upload would. */
export async function* failingStreamOf(bytes: Uint8Array, error: Error): AsyncGenerator<Uint8Array> {
  yield* streamOf(bytes, Math.max(1, Math.ceil(bytes.byteLength / 2)));
  throw error;
}

/** Reads a body to the end; fails instead of growing without bound if it exceeds `maxBytes`. */
export async function readBody(body: AsyncIterable<Uint8Array>, maxBytes = 64 * MiB): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of body) {
    if (!(chunk instanceof Uint8Array)) throw new Error('a body chunk is not a Uint8Array');
    total += chunk.byteLength;
    if (total > maxBytes) throw new Error(`body is longer than ${maxBytes} bytes`);
    chunks.push(chunk);
  }
  return chunks.length === 0 ? new Uint8Array() : concatBytes(chunks);
}

/**
 * Asserts byte equality with a short message (length and first difference) instead of a diff
 * of megabytes.
 */
export function assertSameBytes(actual: Uint8Array, expected: Uint8Array, what: string): void {
  const length = Math.min(actual.byteLength, expected.byteLength);
  for (let index = 0; index < length; index++) {
    if (actual[index] !== expected[index]) {
      throw new Error(
        `${what}: byte ${index} is ${actual[index]}, expected ${expected[index]} (lengths ${actual.byteLength} / ${expected.byteLength})`,
      );
    }
  }
  if (actual.byteLength !== expected.byteLength) {
    throw new Error(`${what}: ${actual.byteLength} bytes, expected ${expected.byteLength}`);
  }
}
