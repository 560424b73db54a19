import type { BodyInput, StorageBackend } from '@datalake/model';
import { assertSameBytes, readBody, sha256Hex } from '../support/bytes.js';
import { expect } from '../support/expect.js';

/** Puts `body`, then checks the put result, `head`, `get` and the listing all agree on `expected`. */
export async function assertRoundTrip(
  backend: StorageBackend,
  key: string,
  body: BodyInput,
  expected: Uint8Array,
): Promise<void> {
  const written = await backend.put(key, body);
  expect(written.size, `put(${JSON.stringify(key)}).size`).toBe(expected.byteLength);
  expect(typeof written.etag, 'put etag type').toBe('string');
  expect(written.etag.length, 'put etag length').toBeGreaterThan(0);

  const info = await backend.head(key);
  expect(info, `head(${JSON.stringify(key)})`).not.toBeNull();
  expect(info?.key).toBe(key);
  expect(info?.size).toBe(expected.byteLength);
  expect(info?.etag).toBe(written.etag);
  expect(info?.lastModified).toBeInstanceOf(Date);

  await assertStoredBytes(backend, key, expected);
}

/** Reads `key` back and compares the bytes exactly (and the reported size and etag with `head`). */
export async function assertStoredBytes(
  backend: StorageBackend,
  key: string,
  expected: Uint8Array,
): Promise<void> {
  const result = await backend.get(key);
  if (result === null) throw new Error(`get(${JSON.stringify(key)}) returned null for a stored object`);
  expect(result.key).toBe(key);
  expect(result.size, `get(${JSON.stringify(key)}).size`).toBe(expected.byteLength);
  const bytes = await readBody(result.body, expected.byteLength + 1024);
  assertSameBytes(bytes, expected, `bytes of ${JSON.stringify(key)}`);
  if (expected.byteLength > 4096) expect(sha256Hex(bytes)).toBe(sha256Hex(expected));
}
