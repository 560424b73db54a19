/** How a content object is compressed where it is stored (its key carries the codec's suffix). */
export type CompressionCodec = 'gzip' | 'brotli' | 'zstd';

export const COMPRESSION_CODECS: readonly CompressionCodec[] = ['gzip', 'brotli', 'zstd'];
