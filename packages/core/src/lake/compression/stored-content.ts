import type { DataType, Entry } from '@datalake/model';
import { type ContentDigest, digesting } from '../content.js';
import {
  CODEC_SUFFIXES,
  type CompressionCodec,
  compressBytes,
  compressStream,
  decompressStream,
} from './codecs.js';
import { compressibleName, looksCompressed, shrinksEnough } from './policy.js';
import type { CompressionSettings } from './settings.js';

/** How a content object is stored when it is not stored as it came. */
export interface StoredForm {
  codec: CompressionCodec;
  /** Bytes of the stored (compressed) object. */
  size: number;
}

/** The key of a content object: the entry's path, plus the codec's suffix when it is compressed. */
export function storedKey(filePath: string, codec: CompressionCodec | undefined): string {
  return codec ? `${filePath}${CODEC_SUFFIXES[codec]}` : filePath;
}

export function storedKeyOf(entry: Pick<Entry, 'filePath' | 'stored'>): string {
  return storedKey(entry.filePath, entry.stored?.codec);
}

/** The bytes an entry takes in storage. */
export function storedSizeOf(entry: Pick<Entry, 'size' | 'stored'>): number {
  return entry.stored?.size ?? entry.size;
}

/** Splits a content object key into the path it is content of and its codec (by suffix). */
export function unsuffixed(key: string): Array<{ filePath: string; codec: CompressionCodec }> {
  const found: Array<{ filePath: string; codec: CompressionCodec }> = [];
  for (const [codec, suffix] of Object.entries(CODEC_SUFFIXES) as Array<[CompressionCodec, string]>)
    if (key.endsWith(suffix) && key.length > suffix.length)
      found.push({ filePath: key.slice(0, -suffix.length), codec });
  return found;
}

/** The original content of a stored object, decompressed (at most `entry.size` bytes) when it is compressed. */
export function originalBody(
  body: AsyncIterable<Uint8Array>,
  entry: Pick<Entry, 'filePath' | 'size' | 'stored'>,
): AsyncIterable<Uint8Array> {
  const codec = entry.stored?.codec;
  return codec ? decompressStream(body, codec, entry.size, storedKeyOf(entry)) : body;
}

/** A stream from `start` to `end` (inclusive) of the original content of a compressed object. */
export async function* sliceOf(
  body: AsyncIterable<Uint8Array>,
  start: number,
  end: number,
): AsyncIterable<Uint8Array> {
  let offset = 0;
  for await (const chunk of body) {
    const chunkEnd = offset + chunk.byteLength;
    if (chunkEnd > start) {
      const from = Math.max(0, start - offset);
      const to = Math.min(chunk.byteLength, end + 1 - offset);
      if (to > from) yield chunk.subarray(from, to);
    }
    offset = chunkEnd;
    if (offset > end) return;
  }
}

/** Bytes of a stream read ahead to decide how it is stored, before the rest follows. */
const SAMPLE_BYTES = 1024 * 1024;

/**
 * How one content write goes to the backend: as it came, or compressed with `codec`. The original
 * passes through `digest` (SHA-256 and size of what the entry records) on its way.
 */
export class ContentPlan {
  private sent: Uint8Array | undefined;
  private counted = 0;

  constructor(
    readonly codec: CompressionCodec | undefined,
    private readonly original: Uint8Array | AsyncIterable<Uint8Array>,
    private readonly digest: ContentDigest,
    private readonly compressed?: Uint8Array,
  ) {}

  /** The same content, stored as it came (nothing of it has been read yet). */
  asIs(): ContentPlan {
    return new ContentPlan(undefined, this.original, this.digest);
  }

  /** Whether the body is one buffer (it can be sent twice). */
  get buffered(): boolean {
    return this.original instanceof Uint8Array;
  }

  /** What to send to the backend. A buffered body can be asked for again; a stream only once. */
  body(): Uint8Array | AsyncIterable<Uint8Array> {
    if (this.sent) return this.sent;
    if (this.original instanceof Uint8Array) {
      this.digest.observe(this.original, true);
      this.sent = this.codec ? (this.compressed as Uint8Array) : this.original;
      this.counted = this.sent.byteLength;
      return this.sent;
    }
    const source = digesting(this.original, this.digest) as AsyncIterable<Uint8Array>;
    const stored = this.codec ? compressStream(source, this.codec) : source;
    return this.counting(stored);
  }

  /** The stored form to record in the entry, once the body was written. */
  storedForm(): StoredForm | undefined {
    return this.codec ? { codec: this.codec, size: this.counted } : undefined;
  }

  private async *counting(body: AsyncIterable<Uint8Array>): AsyncIterable<Uint8Array> {
    for await (const chunk of body) {
      this.counted += chunk.byteLength;
      yield chunk;
    }
  }
}

/**
 * Decides how new content is stored under the lake's compression setting: compressed when it is at
 * least `minBytes`, its name and first bytes do not show an already-compressed format, and
 * compressing saves at least 10%. A stream is judged by its first MiB (or its first `minBytes`, if
 * larger), read ahead and kept; the rest is compressed as it streams.
 */
export async function planNewContent(
  body: Uint8Array | AsyncIterable<Uint8Array>,
  digest: ContentDigest,
  where: { dataType: DataType; name: string },
  settings: CompressionSettings | undefined,
): Promise<ContentPlan> {
  if (!settings || !compressibleName(where.dataType, where.name))
    return new ContentPlan(undefined, body, digest);
  if (body instanceof Uint8Array) return planBuffer(body, digest, settings);
  const { head, rest } = await readAhead(body, Math.max(settings.minBytes, SAMPLE_BYTES));
  if (!rest) return planBuffer(head, digest, settings);
  const plan = await planBuffer(head, digest, settings);
  return new ContentPlan(plan.codec, joined(head, rest), digest);
}

async function planBuffer(
  bytes: Uint8Array,
  digest: ContentDigest,
  settings: CompressionSettings,
): Promise<ContentPlan> {
  if (
    bytes.byteLength < settings.minBytes ||
    bytes.byteLength === 0 ||
    looksCompressed(bytes.subarray(0, 16))
  )
    return new ContentPlan(undefined, bytes, digest);
  const compressed = await compressBytes(bytes, settings.codec);
  if (!shrinksEnough(bytes.byteLength, compressed.byteLength))
    return new ContentPlan(undefined, bytes, digest);
  return new ContentPlan(settings.codec, bytes, digest, compressed);
}

/** Up to `limit` bytes of a stream as one buffer, and the rest of the stream (`undefined` if it ended). */
async function readAhead(
  body: AsyncIterable<Uint8Array>,
  limit: number,
): Promise<{ head: Uint8Array; rest: AsyncIterator<Uint8Array> | undefined }> {
  const iterator = body[Symbol.asyncIterator]();
  const chunks: Uint8Array[] = [];
  let size = 0;
  while (size < limit) {
    const next = await iterator.next();
    if (next.done) return { head: Buffer.concat(chunks), rest: undefined };
    chunks.push(next.value.slice());
    size += next.value.byteLength;
  }
  return { head: Buffer.concat(chunks), rest: iterator };
}

async function* joined(head: Uint8Array, rest: AsyncIterator<Uint8Array>): AsyncIterable<Uint8Array> {
  yield head;
  try {
    for (let next = await rest.next(); !next.done; next = await rest.next()) yield next.value;
  } finally {
    await rest.return?.();
  }
}

/** The plan of an update: the entry keeps the form it was stored in (see the README). */
export function planUpdate(
  body: Uint8Array | AsyncIterable<Uint8Array>,
  digest: ContentDigest,
  entry: Pick<Entry, 'stored'>,
): ContentPlan {
  const codec = entry.stored?.codec;
  if (!codec || !(body instanceof Uint8Array)) return new ContentPlan(codec, body, digest);
  return new ContentPlan(codec, toStream(body), digest);
}

async function* toStream(bytes: Uint8Array): AsyncIterable<Uint8Array> {
  yield bytes;
}
