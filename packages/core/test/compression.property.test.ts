import { CorruptDataError } from '@datalake/model';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  availableCodecs,
  COMPRESSION_CODECS,
  compressBytes,
  compressStream,
  DecompressionLimitError,
  decompressStream,
  UnsupportedCodecError,
} from '../src/lake/compression/codecs.js';
import { sliceOf } from '../src/lake/compression/stored-content.js';

async function collect(stream: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return Buffer.concat(chunks);
}

async function* chunked(bytes: Uint8Array, size: number): AsyncIterable<Uint8Array> {
  for (let offset = 0; offset < bytes.byteLength; offset += size) yield bytes.slice(offset, offset + size);
}

const codecs = availableCodecs();

describe('codecs', () => {
  it('gzip and brotli come with every supported Node.js', () => {
    expect(codecs).toContain('gzip');
    expect(codecs).toContain('brotli');
  });

  it('any bytes, in any chunking, round-trip byte-exact through every codec', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ maxLength: 20_000 }),
        fc.integer({ min: 1, max: 5000 }),
        fc.constantFrom(...codecs),
        async (bytes, chunkSize, codec) => {
          const compressed = await collect(compressStream(chunked(bytes, chunkSize), codec));
          const back = await collect(
            decompressStream(chunked(compressed, chunkSize), codec, bytes.byteLength, 'k'),
          );
          expect(Buffer.from(back).equals(Buffer.from(bytes))).toBe(true);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('any range read of decompressed content equals the slice', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ minLength: 1, maxLength: 30_000 }),
        fc.constantFrom(...codecs),
        fc.nat(),
        fc.nat(),
        async (bytes, codec, a, b) => {
          const start = a % bytes.byteLength;
          const end = start + (b % (bytes.byteLength - start));
          const compressed = await compressBytes(bytes, codec);
          const range = await collect(
            sliceOf(decompressStream(chunked(compressed, 777), codec, bytes.byteLength, 'k'), start, end),
          );
          expect(Buffer.from(range).equals(Buffer.from(bytes.subarray(start, end + 1)))).toBe(true);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('stops a decompression past the recorded size with a typed error (a bomb)', async () => {
    const bomb = await compressBytes(new Uint8Array(50 * 1024 * 1024), 'gzip');
    expect(bomb.byteLength).toBeLessThan(100 * 1024);
    const error = await collect(
      decompressStream(chunked(bomb, 4096), 'gzip', 1024 * 1024, 'logs/x.gz'),
    ).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DecompressionLimitError);
    expect((error as DecompressionLimitError).code).toBe('TOO_LARGE');
  });

  it('reports data that is not the codec as corrupt', async () => {
    for (const codec of codecs) {
      const error = await collect(
        decompressStream(
          chunked(new TextEncoder().encode('plainly not compressed at all'), 8),
          codec,
          1000,
          'k',
        ),
      ).catch((caught: unknown) => caught);
      expect(error, codec).toBeInstanceOf(CorruptDataError);
    }
  });

  it('refuses a codec the running Node.js lacks with a typed error', async () => {
    const missing = COMPRESSION_CODECS.filter((codec) => !codecs.includes(codec));
    for (const codec of missing)
      expect(() => compressStream([new Uint8Array(1)], codec)).toThrow(UnsupportedCodecError);
    expect(() => compressStream([new Uint8Array(1)], 'lz4' as never)).toThrow(/codec must be one of/);
  });
});
