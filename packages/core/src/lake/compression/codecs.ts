import type { Transform } from 'node:stream';
import * as zlib from 'node:zlib';
import {
  COMPRESSION_CODECS,
  type CompressionCodec,
  CorruptDataError,
  TooLargeError,
  ValidationError,
} from '@datalake/model';

// How compressed content is encoded. `zstd` needs a Node.js whose `node:zlib` has it (22.15 and later).
export { COMPRESSION_CODECS, type CompressionCodec };

/** The suffix a compressed content object carries, so that a person browsing the folder sees it. */
export const CODEC_SUFFIXES: Readonly<Record<CompressionCodec, string>> = {
  gzip: '.gz',
  brotli: '.br',
  zstd: '.zst',
};

/** A codec this Node.js cannot run (zstd before Node.js 22.15): nothing was written or changed. */
export class UnsupportedCodecError extends ValidationError {}

/** Decompressed content grew past the size its entry records (a damaged object, or a decompression bomb). */
export class DecompressionLimitError extends TooLargeError {}

type ZlibWithZstd = typeof zlib & {
  createZstdCompress?: (options?: object) => Transform;
  createZstdDecompress?: (options?: object) => Transform;
};
const platform = zlib as ZlibWithZstd;

export function isCompressionCodec(value: unknown): value is CompressionCodec {
  return typeof value === 'string' && (COMPRESSION_CODECS as readonly string[]).includes(value);
}

/** Whether the running Node.js can compress and decompress with `codec`. */
export function codecAvailable(codec: CompressionCodec): boolean {
  if (codec === 'zstd')
    return (
      typeof platform.createZstdCompress === 'function' && typeof platform.createZstdDecompress === 'function'
    );
  return true;
}

/** The codecs the running Node.js offers. */
export function availableCodecs(): CompressionCodec[] {
  return COMPRESSION_CODECS.filter(codecAvailable);
}

/** Throws `UnsupportedCodecError` (or `ValidationError` for a name that is no codec) unless `codec` can run here. */
export function assertCodecAvailable(codec: unknown): asserts codec is CompressionCodec {
  if (!isCompressionCodec(codec))
    throw new ValidationError(
      `compression codec must be one of ${COMPRESSION_CODECS.join(', ')}; got ${JSON.stringify(codec)}`,
      {
        details: { codec },
      },
    );
  if (!codecAvailable(codec))
    throw new UnsupportedCodecError(
      `the ${codec} codec is not available in Node.js ${process.versions.node} (it needs a node:zlib with zstd, Node.js 22.15 or later)`,
      { details: { codec, node: process.versions.node } },
    );
}

/**
 * Brotli's default quality (11) is far too slow for large content; 5 compresses text nearly as well
 * at a speed close to gzip's.
 */
const BROTLI_QUALITY = 5;

function compressor(codec: CompressionCodec): Transform {
  assertCodecAvailable(codec);
  switch (codec) {
    case 'gzip':
      return zlib.createGzip();
    case 'brotli':
      return zlib.createBrotliCompress({ params: { [zlib.constants.BROTLI_PARAM_QUALITY]: BROTLI_QUALITY } });
    case 'zstd':
      return (platform.createZstdCompress as () => Transform)();
  }
}

/**
 * Output chunks of 256 KiB instead of zlib's 16 KiB: a compressed read then passes through the
 * read path's async steps a sixteenth as often, which in this project's measurements roughly halved
 * the time to read a large compressed entry.
 */
const DECOMPRESSED_CHUNK_BYTES = 256 * 1024;

function decompressor(codec: CompressionCodec): Transform {
  assertCodecAvailable(codec);
  const options = { chunkSize: DECOMPRESSED_CHUNK_BYTES };
  switch (codec) {
    case 'gzip':
      return zlib.createGunzip(options);
    case 'brotli':
      return zlib.createBrotliDecompress(options);
    case 'zstd':
      return (platform.createZstdDecompress as (options: object) => Transform)(options);
  }
}

/** `codec` applied to a stream of chunks, as a stream (bounded memory). */
export function compressStream(
  source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  codec: CompressionCodec,
): AsyncIterable<Uint8Array> {
  return through(source, compressor(codec));
}

/**
 * `codec` undone on a stream of chunks. Output past `maxBytes` (the size the entry records) stops
 * the stream with `DecompressionLimitError`: a small object cannot expand into unbounded memory or work.
 * A stream that is not valid `codec` data throws `CorruptDataError`.
 */
export async function* decompressStream(
  source: AsyncIterable<Uint8Array>,
  codec: CompressionCodec,
  maxBytes: number,
  where: string,
): AsyncIterable<Uint8Array> {
  let produced = 0;
  try {
    for await (const chunk of through(source, decompressor(codec))) {
      produced += chunk.byteLength;
      if (produced > maxBytes)
        throw new DecompressionLimitError(
          `content at "${where}" decompresses to more than the ${maxBytes} bytes its entry records`,
          { details: { key: where, codec, limit: maxBytes, problem: 'decompression-limit' } },
        );
      yield chunk;
    }
  } catch (error) {
    if (isZlibError(error))
      throw new CorruptDataError(
        `content at "${where}" is not valid ${codec} data: ${(error as Error).message}`,
        {
          cause: error,
          details: { key: where, codec, problem: 'undecodable' },
        },
      );
    throw error;
  }
}

/** `bytes` compressed with `codec`, in one piece. */
export async function compressBytes(bytes: Uint8Array, codec: CompressionCodec): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of compressStream([bytes], codec)) chunks.push(chunk);
  return chunks.length === 1 ? (chunks[0] as Uint8Array) : Buffer.concat(chunks);
}

/** An error of a zlib decoder (zlib's `Z_*`, brotli's `ERR__ERROR_*` and `ERR_BROTLI_*`, zstd's). */
function isZlibError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^(Z_|ERR__|ERR_BROTLI|ERR_ZSTD|ERR_ZLIB)/.test(code);
}

/** Pipes `source` through a zlib transform, reading the source only as fast as the output is consumed. */
async function* through(
  source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  transform: Transform,
): AsyncIterable<Uint8Array> {
  let failure: unknown;
  const feeding = (async () => {
    try {
      for await (const chunk of source) {
        if (!transform.write(chunk)) await drained(transform);
        if (transform.destroyed) return;
      }
      transform.end();
    } catch (error) {
      failure = error;
      transform.destroy(error as Error);
    }
  })();
  try {
    for await (const chunk of transform as AsyncIterable<Buffer>)
      yield new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  } catch (error) {
    throw failure ?? error;
  } finally {
    if (!transform.destroyed && !transform.writableFinished) transform.destroy();
    await feeding;
  }
  if (failure !== undefined) throw failure;
}

function drained(transform: Transform): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      transform.off('drain', done);
      transform.off('close', done);
      resolve();
    };
    transform.once('drain', done);
    transform.once('close', done);
  });
}
