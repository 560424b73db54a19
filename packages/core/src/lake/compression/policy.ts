import type { DataType } from '@datalake/model';

/** Names whose format is compressed already: compressing them again only costs time. */
const COMPRESSED_EXTENSIONS = new Set([
  '7z',
  'avif',
  'br',
  'bz2',
  'docx',
  'flac',
  'gif',
  'gz',
  'heic',
  'jar',
  'jpeg',
  'jpg',
  'lz',
  'lz4',
  'lzma',
  'm4a',
  'mkv',
  'mov',
  'mp3',
  'mp4',
  'odt',
  'ogg',
  'parquet',
  'pdf',
  'png',
  'pptx',
  'rar',
  'tgz',
  'webm',
  'webp',
  'whl',
  'woff',
  'woff2',
  'xlsx',
  'xz',
  'zip',
  'zst',
]);

/** Leading bytes of compressed or media formats (gzip, zip, zstd, xz, bzip2, 7z, PNG, JPEG, GIF, PDF streams). */
const COMPRESSED_MAGIC: readonly number[][] = [
  [0x1f, 0x8b],
  [0x50, 0x4b, 0x03, 0x04],
  [0x28, 0xb5, 0x2f, 0xfd],
  [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00],
  [0x42, 0x5a, 0x68],
  [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c],
  [0x89, 0x50, 0x4e, 0x47],
  [0xff, 0xd8, 0xff],
  [0x47, 0x49, 0x46, 0x38],
];

/** Whether content of this name is worth trying to compress (its type and extension say nothing against it). */
export function compressibleName(_dataType: DataType, name: string): boolean {
  const dot = name.lastIndexOf('.');
  if (dot <= 0) return true;
  return !COMPRESSED_EXTENSIONS.has(name.slice(dot + 1).toLowerCase());
}

/** Whether the first bytes of content show a format that is compressed already. */
export function looksCompressed(head: Uint8Array): boolean {
  return COMPRESSED_MAGIC.some(
    (magic) => magic.length <= head.byteLength && magic.every((byte, index) => head[index] === byte),
  );
}

/** Content that does not shrink by at least this share is stored as it is. */
export const MIN_SAVING = 0.1;

export function shrinksEnough(originalBytes: number, compressedBytes: number): boolean {
  return compressedBytes <= originalBytes * (1 - MIN_SAVING);
}
