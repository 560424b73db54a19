import { createHash } from 'node:crypto';
import { closeSync, constants, fstatSync, openSync, readFileSync } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import { ValidationError } from '@datalake/core';
import { countLinesOf, decodeAs, decodeText, detectEncoding, type TextEncoding } from './encoding.js';

/** Files up to this size are read into memory once; larger ones are streamed (hashed, then stored). */
export const BUFFERED_LIMIT = 16 * 1024 * 1024;
/**
 * Files up to this size are read with one synchronous call: reading a small file costs microseconds,
 * less than the four thread-pool round trips of an asynchronous read.
 */
const SYNC_READ_LIMIT = 1024 * 1024;
/** How much of a streamed file is kept for classification. */
const HEAD_BYTES = 256 * 1024;

export interface Artifact {
  size: number;
  sha256: string;
  encoding: TextEncoding;
  /**
   * Decoded text for classification: the whole file when buffered, its head when streamed.
   * Decoded on the first call only: most files are classified by their name alone.
   */
  text: () => string;
  lineCount: number;
  /** The bytes to store: the buffer, or a fresh stream of the file. */
  content: () => Uint8Array | AsyncIterable<Uint8Array>;
}

/**
 * How source files are opened: never through a symbolic link (one planted after the walk would lead
 * out of the tree), and without blocking should a FIFO have taken the file's place.
 */
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0);

/** Reads a file once, computing its SHA-256, encoding and line count as it goes. */
export async function readArtifact(path: string | Buffer, size: number): Promise<Artifact> {
  return size <= BUFFERED_LIMIT ? readBuffered(path, size) : readStreamed(path);
}

async function readBuffered(path: string | Buffer, size: number): Promise<Artifact> {
  const file =
    size <= SYNC_READ_LIMIT
      ? readSmallFile(path)
      : await withRegularFile(path, (handle) => handle.readFile());
  const bytes = new Uint8Array(file.buffer, file.byteOffset, file.byteLength);
  const encoding = detectEncoding(bytes);
  let text: string | undefined;
  return {
    size: bytes.byteLength,
    sha256: createHash('sha256').update(bytes).digest('hex'),
    encoding,
    text: () => {
      text ??= decodeAs(bytes, encoding);
      return text;
    },
    lineCount: countLinesOf(bytes, encoding),
    content: () => bytes,
  };
}

async function readStreamed(path: string | Buffer): Promise<Artifact> {
  const hash = createHash('sha256');
  const head: Buffer[] = [];
  let headBytes = 0;
  let size = 0;
  let newlines = 0;
  let lastByte = -1;
  for await (const chunk of streamRegularFile(path)) {
    hash.update(chunk);
    size += chunk.byteLength;
    if (headBytes < HEAD_BYTES) {
      head.push(chunk);
      headBytes += chunk.byteLength;
    }
    for (let at = chunk.indexOf(10); at !== -1; at = chunk.indexOf(10, at + 1)) newlines++;
    lastByte = chunk[chunk.byteLength - 1] ?? lastByte;
  }
  const sample = new Uint8Array(Buffer.concat(head).subarray(0, HEAD_BYTES));
  const decoded = decodeText(trimToCharacter(sample));
  const lineCount = size === 0 ? 0 : lastByte === 10 ? newlines : newlines + 1;
  return {
    size,
    sha256: hash.digest('hex'),
    encoding: decoded.encoding,
    text: () => decoded.text,
    lineCount: decoded.encoding === 'binary' ? 0 : lineCount,
    content: () => streamRegularFile(path),
  };
}

function readSmallFile(path: string | Buffer): Buffer {
  const fd = openSync(path, OPEN_FLAGS);
  try {
    assertRegular(fstatSync(fd), path);
    return readFileSync(fd);
  } finally {
    closeSync(fd);
  }
}

async function withRegularFile<T>(
  path: string | Buffer,
  work: (handle: FileHandle) => Promise<T>,
): Promise<T> {
  const handle = await openRegular(path);
  try {
    return await work(handle);
  } finally {
    await handle.close();
  }
}

async function openRegular(path: string | Buffer): Promise<FileHandle> {
  const handle = await open(path, OPEN_FLAGS);
  try {
    assertRegular(await handle.stat(), path);
    return handle;
  } catch (error) {
    await handle.close();
    throw error;
  }
}

/** The file's bytes as a stream that closes the file when it ends (or is abandoned). */
async function* streamRegularFile(path: string | Buffer): AsyncIterable<Buffer> {
  const handle = await openRegular(path);
  try {
    yield* handle.createReadStream({ autoClose: false }) as AsyncIterable<Buffer>;
  } finally {
    await handle.close();
  }
}

function assertRegular(stats: { isFile(): boolean }, path: string | Buffer): void {
  if (!stats.isFile()) {
    throw new ValidationError('is no longer a regular file (replaced since the folder was listed)', {
      details: { path: path.toString() },
    });
  }
}

/** Cuts a sample before a UTF-8 sequence split at its end, so a valid file is not taken for latin-1. */
function trimToCharacter(sample: Uint8Array): Uint8Array {
  let end = sample.byteLength;
  for (let back = 1; back <= 3 && end - back >= 0; back++) {
    const byte = sample[end - back] as number;
    if ((byte & 0xc0) === 0x80) continue; // continuation byte
    if (byte >= 0xc0) end -= back; // a lead byte whose sequence may be cut
    break;
  }
  return sample.subarray(0, end);
}
