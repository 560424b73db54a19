import { createHash } from 'node:crypto';
import type { GetResult, StorageBackend } from '@datalake/model';
import {
  CorruptDataError,
  collectBody,
  DataLakeError,
  PreconditionFailedError,
  PutMode,
} from '@datalake/model';
import { COMPRESSION_CODECS, type CompressionCodec, decompressStream } from '../compression/codecs.js';
import { digestBody, sha256Hex } from '../content.js';
import { blobKey } from './keys.js';
import { waitWhilePurging } from './purge-marks.js';
import type { RecentContent } from './recent-contents.js';

/** Content up to this size is read whole before it is kept, so the backend can journal its write. */
const BUFFERED_KEEP_BYTES = 1024 * 1024;

/**
 * Makes sure the content `sha256` is kept under `.versions/blobs/`, copying it from `source` (the
 * entry's current content object, compressed with `codec` if given) when it is not there yet. Called before a write that makes that content
 * noncurrent commits, so no version ever names content that is gone. The copy need not be durable
 * at once: the durable write that follows it on the same backend (the pending mark, the new content
 * or the tombstone) makes it durable first (`PutOptions.deferDurability`), so keeping costs no flush
 * of its own. A blob already there is checked and replaced when it is not that content (left damaged
 * by a crash). `false` when the source does not hold that content (missing or damaged): nothing is
 * left to keep.
 */
export async function keepContent(
  backend: StorageBackend,
  sha256: string,
  source: string,
  codec?: CompressionCodec,
  purgeMarkStaleMs = DEFAULT_PURGE_MARK_STALE_MS,
  /** The content when the caller holds it (checked here): the source is then not read. */
  known?: RecentContent,
): Promise<boolean> {
  for (;;) {
    const kept = codec
      ? await keepCompressedOnce(backend, sha256, source, codec)
      : await keepOnce(backend, sha256, source, known);
    // A retention run may be removing this very blob: wait for it, then keep the content again.
    if (!kept || !(await waitWhilePurging(backend, sha256, purgeMarkStaleMs))) return kept;
  }
}

/** A retention run's mark older than this (10 minutes) is taken for one whose run is gone. */
export const DEFAULT_PURGE_MARK_STALE_MS = 10 * 60 * 1000;

/**
 * `keepContent` without its check for a retention run's mark: the caller must make that check
 * (`waitWhilePurging`, then keep again when it saw one) before the content becomes noncurrent.
 */
export function keepContentUnchecked(
  backend: StorageBackend,
  sha256: string,
  source: string,
  codec?: CompressionCodec,
  known?: RecentContent,
): Promise<boolean> {
  return codec
    ? keepCompressedOnce(backend, sha256, source, codec)
    : keepOnce(backend, sha256, source, known);
}

async function keepOnce(
  backend: StorageBackend,
  sha256: string,
  source: string,
  known?: RecentContent,
): Promise<boolean> {
  const key = blobKey(sha256);
  const held = known !== undefined && sha256Hex(known.bytes) === sha256 ? known.bytes : undefined;
  if (held && known?.etag !== undefined) {
    try {
      if (await copiedNatively(backend, source, key, known.etag)) return true;
    } catch (error) {
      if (error instanceof PreconditionFailedError) return keepExisting(backend, sha256, source);
      throw error;
    }
  }
  const object = held ? undefined : await backend.get(source);
  if (!held && !object) return false;
  const check = { mismatch: false };
  try {
    const body =
      held ??
      (object && object.size <= BUFFERED_KEEP_BYTES
        ? await collectVerified(object.body, sha256)
        : verified((object as GetResult).body, sha256, source, check));
    if (body === undefined) return false;
    await backend.put(key, body, { mode: PutMode.create, deferDurability: true });
    return true;
  } catch (error) {
    // The backend may wrap the stream's own error: the flag tells what happened.
    if (check.mismatch) return false;
    if (error instanceof PreconditionFailedError) return keepExisting(backend, sha256, source);
    throw error;
  }
}

/**
 * On a backend that copies natively (a disk links the file), keeps the content by copying the
 * source object, but only the version this instance wrote with that content (`etag`): an object
 * another writer has replaced since is not copied. `false` when the copy was not made.
 */
async function copiedNatively(
  backend: StorageBackend,
  source: string,
  key: string,
  etag: string,
): Promise<boolean> {
  if (!backend.capabilities.copy || typeof backend.copy !== 'function') return false;
  const copied = await backend.copy(source, key, {
    mode: PutMode.create,
    ifSourceMatch: etag,
    deferDurability: true,
  });
  return copied !== null;
}

/**
 * Keeps compressed content as it is stored, under the blob key with the codec's suffix (or finds a
 * copy kept uncompressed). Its durability, too, is deferred to the write that follows.
 */
async function keepCompressedOnce(
  backend: StorageBackend,
  sha256: string,
  source: string,
  codec: CompressionCodec,
): Promise<boolean> {
  const key = blobKey(sha256, codec);
  if (await backend.head(key)) return true;
  if (await backend.head(blobKey(sha256))) return true;
  const object = await backend.get(source);
  if (!object) return false;
  const check = { mismatch: false };
  try {
    await backend.put(key, verifiedCompressed(object.body, codec, sha256, source, check), {
      mode: PutMode.create,
      deferDurability: true,
    });
    return true;
  } catch (error) {
    if (check.mismatch) return false;
    if (error instanceof PreconditionFailedError) return true; // another writer kept it first
    throw error;
  }
}

/** A blob of `sha256` exists: it stays if it holds that content, else the source's bytes replace it. */
async function keepExisting(backend: StorageBackend, sha256: string, source: string): Promise<boolean> {
  const key = blobKey(sha256);
  const kept = await backend.get(key);
  if (kept && (await digestBody(kept.body)).sha256 === sha256) return true;
  const object = await backend.get(source);
  if (!object) return false;
  const check = { mismatch: false };
  try {
    await backend.put(key, verified(object.body, sha256, source, check));
    return true;
  } catch (error) {
    if (check.mismatch) return false;
    throw error;
  }
}

/** The whole body, or undefined when it is not the content `sha256`. */
async function collectVerified(
  body: AsyncIterable<Uint8Array>,
  sha256: string,
): Promise<Uint8Array | undefined> {
  const bytes = await collectBody(body);
  return sha256Hex(bytes) === sha256 ? bytes : undefined;
}

/** The bytes of `body` as they stream by; throws at the end if they are not the content `sha256`. */
export async function* verified(
  body: AsyncIterable<Uint8Array>,
  sha256: string,
  where: string,
  check: { mismatch: boolean } = { mismatch: false },
): AsyncIterable<Uint8Array> {
  const hash = createHash('sha256');
  for await (const chunk of body) {
    hash.update(chunk);
    yield chunk;
  }
  if (hash.digest('hex') !== sha256) {
    check.mismatch = true;
    throw new MismatchError(where, sha256);
  }
}

/**
 * The compressed bytes of `body` as they stream by, unchanged; throws at the end unless they
 * decompress to the content `sha256`.
 */
async function* verifiedCompressed(
  body: AsyncIterable<Uint8Array>,
  codec: CompressionCodec,
  sha256: string,
  where: string,
  check: { mismatch: boolean },
): AsyncIterable<Uint8Array> {
  const raw: Uint8Array[] = [];
  let ended = false;
  let wake: (() => void) | undefined;
  async function* passed(): AsyncIterable<Uint8Array> {
    for (;;) {
      const chunk = raw.shift();
      if (chunk) yield chunk;
      else if (ended) return;
      else await new Promise<void>((resolve) => (wake = resolve));
    }
  }
  const hash = createHash('sha256');
  const hashing = (async () => {
    for await (const chunk of decompressStream(passed(), codec, Number.MAX_SAFE_INTEGER, where))
      hash.update(chunk);
  })();
  hashing.catch(() => {});
  try {
    for await (const chunk of body) {
      raw.push(chunk);
      wake?.();
      yield chunk;
    }
  } finally {
    ended = true;
    wake?.();
  }
  try {
    await hashing;
  } catch {
    check.mismatch = true;
    throw new MismatchError(where, sha256);
  }
  if (hash.digest('hex') !== sha256) {
    check.mismatch = true;
    throw new MismatchError(where, sha256);
  }
}

/** Content read from the lake does not hash to the SHA-256 that names it. */
export class MismatchError extends CorruptDataError {
  constructor(where: string, sha256: string) {
    super(`content at "${where}" does not match its SHA-256 ${sha256}`, {
      details: { key: where, sha256, problem: 'hash-mismatch' },
    });
  }
}

/** Whether a kept copy of content `sha256` exists (in any form). */
export async function hasBlob(backend: StorageBackend, sha256: string): Promise<boolean> {
  try {
    for (const codec of [undefined, ...COMPRESSION_CODECS])
      if ((await backend.head(blobKey(sha256, codec))) !== null) return true;
    return false;
  } catch (error) {
    if (error instanceof DataLakeError) return false;
    throw error;
  }
}

/**
 * The kept copy of content `sha256` (`size` bytes), as a stream of its original bytes checked
 * against the SHA-256 as it ends; `null` when no copy exists in any form.
 */
export async function openBlob(
  backend: StorageBackend,
  sha256: string,
  size: number,
): Promise<{ key: string; body: AsyncIterable<Uint8Array> } | null> {
  for (const codec of [undefined, ...COMPRESSION_CODECS]) {
    const key = blobKey(sha256, codec);
    const object: GetResult | null = await backend.get(key);
    if (!object) continue;
    const original = codec ? decompressStream(object.body, codec, size, key) : object.body;
    return { key, body: verified(original, sha256, key) };
  }
  return null;
}
