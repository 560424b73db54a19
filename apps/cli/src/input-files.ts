import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import {
  type DataLakeError,
  type DataType,
  type Metadata,
  NotFoundError,
  TooLargeError,
  ValidationError,
} from '@datalake/core';
import { classify, countLines, decodeText, readArtifact, type TextEncoding } from '@datalake/ingest';
import { tidyReason } from './errors.js';
import { onInterrupt } from './interrupts.js';
import { formatBytes } from './output.js';

/** Inputs up to this size are held in memory; larger ones are read again from their file for storing. */
const MEMORY_LIMIT = 16 * 1024 * 1024;

/** Content named on the command line (a file, or `-` for standard input), read at most up to a size limit. */
export interface InputContent {
  size: number;
  encoding: TextEncoding;
  /** The text for classification (the head of a large input). */
  text: () => string;
  lineCount: number;
  /** The bytes to store: the buffer, or a stream of the file that stops at the size limit. */
  content: () => Uint8Array | AsyncIterable<Uint8Array>;
  /** Removes the temporary copy of a large input that could not be read twice (a pipe, a device). */
  dispose: () => Promise<void>;
}

/**
 * Reads the input named by `path` (`-`: standard input) without ever holding more than 16 MiB of it:
 * larger input is re-read from its file when stored, and an input that cannot be read twice (a pipe,
 * a device such as /dev/zero) is copied to a temporary file first. Stops with `TooLargeError` as
 * soon as the input passes `maxSize`.
 */
export async function readInput(path: string, maxSize: number): Promise<InputContent> {
  const label = path === '-' ? 'standard input' : path;
  let regularFile = false;
  if (path !== '-') {
    const info = await statInput(path);
    if (info.isDirectory())
      throw new ValidationError(`cannot read ${path}: it is a folder`, { details: { path } });
    regularFile = info.isFile();
    if (regularFile && info.size > maxSize) throw tooLarge(label, maxSize);
    if (regularFile && info.size > MEMORY_LIMIT) {
      return fileInput(path, maxSize, label, async () => {}).catch((error: unknown) => {
        throw inputError(path, error);
      });
    }
  }
  const source = path === '-' ? (process.stdin as AsyncIterable<Buffer>) : createReadStream(path);
  const chunks = limited(source, maxSize, label)[Symbol.asyncIterator]();
  const held: Uint8Array[] = [];
  let size = 0;
  try {
    while (size <= MEMORY_LIMIT) {
      const next = await chunks.next();
      if (next.done) return heldInput(Buffer.concat(held));
      held.push(next.value);
      size += next.value.byteLength;
    }
    if (regularFile) {
      await chunks.return?.(undefined);
      return await fileInput(path, maxSize, label, async () => {});
    }
    return await spooledInput(held, chunks, maxSize, label);
  } catch (error) {
    await chunks.return?.(undefined).catch(() => {});
    throw inputError(path, error);
  }
}

/** Type and describing metadata of stored content, as `ingest` gives them: `encoding`, `language`, `lineCount`. */
export function describeInput(name: string, input: InputContent): { dataType: DataType; metadata: Metadata } {
  const verdict = classify(name, input.text, input.encoding === 'binary');
  return {
    dataType: verdict.dataType,
    metadata: { encoding: input.encoding, language: verdict.language, lineCount: input.lineCount },
  };
}

/** Throws unless `path` is an existing folder. */
export async function assertFolder(path: string): Promise<void> {
  const info = await statInput(path);
  if (!info.isDirectory()) throw new ValidationError(`${path} is not a folder`, { details: { path } });
}

function heldInput(buffer: Buffer): InputContent {
  const bytes = new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  const decoded = decodeText(bytes);
  return {
    size: bytes.byteLength,
    encoding: decoded.encoding,
    text: () => decoded.text,
    lineCount: countLines(decoded.text),
    content: () => bytes,
    dispose: async () => {},
  };
}

async function fileInput(
  path: string,
  maxSize: number,
  label: string,
  dispose: () => Promise<void>,
): Promise<InputContent> {
  const artifact = await readArtifact(path, (await stat(path)).size);
  if (artifact.size > maxSize) throw tooLarge(label, maxSize);
  return {
    size: artifact.size,
    encoding: artifact.encoding,
    text: artifact.text,
    lineCount: artifact.lineCount,
    content: () => limited(createReadStream(path) as AsyncIterable<Uint8Array>, maxSize, label),
    dispose,
  };
}

async function spooledInput(
  held: Uint8Array[],
  rest: AsyncIterator<Uint8Array>,
  maxSize: number,
  label: string,
): Promise<InputContent> {
  const folder = await mkdtemp(join(tmpdir(), 'datalake-input-'));
  const dispose = async () => {
    release();
    await rm(folder, { recursive: true, force: true });
  };
  const release = onInterrupt(dispose);
  try {
    const file = join(folder, 'input');
    async function* all() {
      yield* held;
      for (let next = await rest.next(); !next.done; next = await rest.next()) yield next.value;
    }
    await pipeline(all, createWriteStream(file));
    return await fileInput(file, maxSize, label, dispose);
  } catch (error) {
    await dispose();
    throw error;
  }
}

/** Passes `source` through, failing with `TooLargeError` as soon as it passes `maxSize` bytes. */
async function* limited(
  source: AsyncIterable<Uint8Array>,
  maxSize: number,
  label: string,
): AsyncGenerator<Uint8Array> {
  let size = 0;
  for await (const chunk of source) {
    size += chunk.byteLength;
    if (size > maxSize) throw tooLarge(label, maxSize);
    yield chunk;
  }
}

function tooLarge(label: string, maxSize: number): TooLargeError {
  return new TooLargeError(`${label} is larger than --max-size (${formatBytes(maxSize)})`, {
    details: { maxSize },
  });
}

async function statInput(path: string) {
  try {
    return await stat(path);
  } catch (error) {
    throw inputError(path, error);
  }
}

/** A failure to read a file named on the command line, as a typed error naming the file once. */
function inputError(path: string, error: unknown): unknown {
  const code = (error as NodeJS.ErrnoException)?.code;
  if (typeof code !== 'string' || !/^E[A-Z0-9]+$/.test(code)) return error;
  const label = path === '-' ? 'standard input' : path;
  const reason = tidyReason((error as Error).message);
  const options = { cause: error, details: { path, errno: code } };
  const message = `cannot read ${label}: ${reason}`;
  const typed: DataLakeError =
    code === 'ENOENT' || code === 'ENOTDIR'
      ? new NotFoundError(message, options)
      : new ValidationError(message, options);
  return typed;
}
