import { createReadStream } from 'node:fs';
import { Readable, Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import tar from 'tar-stream';
import { ArchiveError } from './errors.js';
import { unsafeNameProblem } from './layout.js';

/** Where an archive is read from: a file's path, or a stream of its bytes (standard input). */
export type ArchiveSource = string | AsyncIterable<Uint8Array>;

/** One member of the archive, in order. Its `body` must be read to the end (or `skip`ped) before the next. */
export interface RawMember {
  index: number;
  name: string;
  size: number;
  body: AsyncIterable<Uint8Array>;
}

/**
 * Bytes the tar stream may hold beyond what its member headers declare (headers, padding, the end
 * blocks, and what the stages between the inflater and the tar parser buffer ahead).
 */
const SLACK_BYTES = 8 * 1024 * 1024;
const BLOCK = 512;

/** The decompressed stream may grow only as far as the accepted member headers allow. */
class ByteBudget extends Transform {
  private seen = 0;
  private allowed = SLACK_BYTES;

  constructor(private readonly compressed: boolean) {
    super();
  }

  /** A member header was accepted: its body (and header and padding) may follow. */
  allow(size: number): void {
    this.allowed += BLOCK * 2 + Math.ceil(size / BLOCK) * BLOCK;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.seen += chunk.byteLength;
    if (this.seen > this.allowed) {
      callback(
        this.compressed
          ? new ArchiveError(
              'decompression-bomb',
              'the archive inflates to more bytes than its members declare (a decompression bomb?)',
              { inflatedBytes: this.seen },
            )
          : new ArchiveError('structure', 'the archive holds more bytes than its members declare', {
              bytes: this.seen,
            }),
      );
      return;
    }
    callback(null, chunk);
  }
}

async function* fromSource(source: ArchiveSource): AsyncIterable<Uint8Array> {
  if (typeof source === 'string') yield* createReadStream(source, { highWaterMark: 256 * 1024 });
  else yield* source;
}

/** Peeks at the first bytes: gzip starts with 1f 8b. */
async function detectGzip(
  source: AsyncIterable<Uint8Array>,
): Promise<{ gzip: boolean; stream: AsyncIterable<Uint8Array> }> {
  const iterator = source[Symbol.asyncIterator]();
  const first = await iterator.next();
  const head = first.done ? new Uint8Array() : first.value;
  async function* rest(): AsyncIterable<Uint8Array> {
    if (!first.done) yield head;
    for (;;) {
      const next = await iterator.next();
      if (next.done) return;
      yield next.value;
    }
  }
  return { gzip: head[0] === 0x1f && head[1] === 0x8b, stream: rest() };
}

/**
 * Reads a tar (or gzip-compressed tar) stream member by member. Refuses, as `ArchiveError`, what no
 * backup holds: links and other non-file members, unsafe names, members larger than `maxSize`
 * allows, an archive cut short, and inflated bytes past what the members declare.
 */
export async function* readMembers(
  source: ArchiveSource,
  maxSize: (name: string, index: number) => number,
): AsyncIterable<RawMember> {
  const { gzip, stream } = await detectGzip(fromSource(source));
  const budget = new ByteBudget(gzip);
  const extract = tar.extract();
  const stages = gzip
    ? pipeline(Readable.from(stream), createGunzip(), budget, extract)
    : pipeline(Readable.from(stream), budget, extract);
  let stageError: unknown;
  const finished = stages.catch((error: unknown) => {
    stageError = error;
  });
  let index = 0;
  let completed = false;
  try {
    for await (const entry of extract) {
      const { name, type } = entry.header;
      const size = entry.header.size ?? 0;
      if (type !== 'file') {
        throw new ArchiveError(
          'link',
          `member ${JSON.stringify(name)} is a ${type ?? 'special'} entry, not a file`,
          {
            member: name,
            type,
          },
        );
      }
      const unsafe = unsafeNameProblem(name);
      if (unsafe)
        throw new ArchiveError('unsafe-path', `member ${JSON.stringify(name)} ${unsafe}`, { member: name });
      const limit = maxSize(name, index);
      if (size > limit) {
        throw new ArchiveError(
          'oversized',
          `member ${JSON.stringify(name)} is ${size} bytes, more than the ${limit} the manifest allows`,
          { member: name, size, limit },
        );
      }
      budget.allow(size);
      const chunks = (entry as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
      yield { index, name, size, body: keptOpen(chunks) };
      // Whatever the reader left of the body (a reader that stopped early cannot close it).
      for (let next = await chunks.next(); !next.done; next = await chunks.next());
      index++;
    }
    completed = true;
  } catch (error) {
    extract.destroy();
    await finished;
    throw firstArchiveError(error, stageError);
  } finally {
    if (!completed) extract.destroy();
  }
  await finished;
  if (stageError !== undefined) throw mapReadError(stageError);
}

/** The rest of `iterator` as an iterable whose early end (a `break`) leaves `iterator` open. */
function keptOpen(iterator: AsyncIterator<Buffer>): AsyncIterable<Uint8Array> {
  return {
    [Symbol.asyncIterator]: () => ({
      next: async () => {
        try {
          return await iterator.next();
        } catch (error) {
          throw mapReadError(error);
        }
      },
      return: async () => ({ done: true, value: undefined }),
    }),
  };
}

/** The error that says what is wrong: one of ours, else the stages' (the tar parser's own is often only "premature close"). */
function firstArchiveError(error: unknown, stageError: unknown): unknown {
  if (error instanceof ArchiveError) return error;
  if (stageError instanceof ArchiveError) return stageError;
  return mapReadError(stageError ?? error);
}

/** zlib and tar parser errors as `ArchiveError`s. */
export function mapReadError(error: unknown): unknown {
  if (error instanceof ArchiveError) return error;
  if (!(error instanceof Error)) return error;
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' || code === 'EACCES' || code === 'EISDIR') return error;
  const message = error.message;
  if (/unexpected end|premature close|Z_BUF_ERROR/i.test(message) || code === 'Z_BUF_ERROR') {
    return new ArchiveError('truncated', 'the archive ends too early (truncated?)', {}, error);
  }
  if (code?.startsWith('Z_') || /invalid|header|checksum/i.test(message)) {
    return new ArchiveError('structure', `the archive is not a valid tar stream: ${message}`, {}, error);
  }
  return error;
}
