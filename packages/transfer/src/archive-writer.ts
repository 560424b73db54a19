import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { Transform, type TransformCallback, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import tar from 'tar-stream';
import { CHECKSUMS_MEMBER } from './layout.js';
import { encodeLine } from './manifest.js';

/** One member as written: what `checksums.jsonl` lists. */
export interface WrittenMember {
  member: string;
  size: number;
  sha256: string;
}

/** The result of writing a member whose source could fall short or fail. */
export interface MemberOutcome {
  /** SHA-256 of the bytes the member holds. */
  sha256: string;
  /** The source gave exactly the declared size, without an error. */
  complete: boolean;
  /** What the source threw, if it failed (the member was filled up with zeros). */
  sourceError?: unknown;
}

const ZEROS = new Uint8Array(64 * 1024);
/** Manifest and trailer lines up to this size are encoded once and kept until written. */
const KEPT_LINES_BYTES = 64 * 1024 * 1024;
/** The archive goes out in pieces of about this size: tar's many 512-byte headers and paddings are not written one by one. */
const BATCH_BYTES = 1024 * 1024;
/** Bytes of whole members handed to the tar packer and not yet packed: more waits (bounded memory). */
const QUEUED_BYTES = 16 * 1024 * 1024;

/** Joins small chunks into pieces of about `BATCH_BYTES`, counting the bytes that pass. */
function batching(count: (bytes: number) => void): Transform {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  const flush = (stream: Transform) => {
    if (pendingBytes === 0) return;
    stream.push(pending.length === 1 ? pending[0] : Buffer.concat(pending, pendingBytes));
    count(pendingBytes);
    pending = [];
    pendingBytes = 0;
  };
  return new Transform({
    transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback) {
      pending.push(chunk);
      pendingBytes += chunk.byteLength;
      if (pendingBytes >= BATCH_BYTES) flush(this);
      callback();
    },
    flush(callback: TransformCallback) {
      flush(this);
      callback();
    },
  });
}

/**
 * Writes a tar stream (gzip-compressed on request) to `out`, one member at a time, never holding a
 * member whole: each member is streamed with its size declared up front. Every member's SHA-256 and
 * size is kept for the checksums member `finish` writes last.
 */
export class ArchiveWriter {
  private readonly pack = tar.pack();
  private readonly done: Promise<void>;
  private failure: unknown;
  private readonly written: WrittenMember[] = [];
  private readonly mtime = new Date();
  /** Bytes of `addVerified` members queued in the packer, and who waits for them to go down. */
  private queuedBytes = 0;
  private queueWaiters: (() => void)[] = [];
  /** Bytes that went to `out` (compressed, when gzip). */
  bytesOut = 0;

  constructor(out: Writable, options: { gzip?: boolean } = {}) {
    const counter = batching((bytes) => {
      this.bytesOut += bytes;
    });
    const stages = options.gzip
      ? pipeline(this.pack, createGzip({ level: 6 }), counter, out)
      : pipeline(this.pack, counter, out);
    this.done = stages.catch((error: unknown) => {
      this.failure ??= error;
      throw error;
    });
    this.done.catch(() => {});
  }

  get members(): readonly WrittenMember[] {
    return this.written;
  }

  /** A member of exactly `size` bytes from `chunks`: cut when the source gives more, padded with zeros when less or when it fails. */
  async addMember(
    name: string,
    size: number,
    chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  ): Promise<MemberOutcome> {
    this.assertWorking();
    const hash = createHash('sha256');
    const stream = this.pack.entry({ name, size, mode: 0o644, mtime: this.mtime, type: 'file' });
    const ended = new Promise<void>((resolve, reject) => {
      stream.once('error', reject);
      stream.once('finish', resolve);
      stream.once('close', resolve);
    });
    ended.catch(() => {});
    let remaining = size;
    let complete = true;
    let sourceError: unknown;
    const put = async (chunk: Uint8Array) => {
      hash.update(chunk);
      remaining -= chunk.byteLength;
      if (!stream.write(chunk)) await this.drained(stream);
    };
    try {
      for await (const chunk of chunks) {
        if (chunk.byteLength === 0) continue;
        if (chunk.byteLength > remaining) {
          complete = false;
          if (remaining > 0) await put(chunk.subarray(0, remaining));
          break;
        }
        await put(chunk);
      }
    } catch (error) {
      this.assertWorking();
      complete = false;
      sourceError = error;
    }
    if (remaining > 0) complete = false;
    while (remaining > 0) await put(ZEROS.subarray(0, Math.min(remaining, ZEROS.byteLength)));
    stream.end(() => {});
    await Promise.race([ended, this.done]);
    this.assertWorking();
    const sha256 = hash.digest('hex');
    this.written.push({ member: name, size, sha256 });
    return sourceError === undefined ? { sha256, complete } : { sha256, complete, sourceError };
  }

  /**
   * A member whose bytes are at hand and known to hash to `sha256` (they were checked as they were
   * read). It is queued in the packer without waiting for it to be packed, so many small members
   * go out without a pause each; the queue is bounded (`QUEUED_BYTES`), so this waits when it is full.
   */
  async addVerified(name: string, bytes: Uint8Array, sha256: string): Promise<void> {
    this.assertWorking();
    while (this.queuedBytes > 0 && this.queuedBytes + bytes.byteLength > QUEUED_BYTES) {
      await Promise.race([new Promise<void>((resolve) => this.queueWaiters.push(resolve)), this.done]);
      this.assertWorking();
    }
    const size = bytes.byteLength;
    this.queuedBytes += size;
    const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, size);
    this.pack.entry({ name, size, mode: 0o644, mtime: this.mtime, type: 'file' }, buffer, (error) => {
      if (error) this.failure ??= error;
      this.queuedBytes -= size;
      const waiters = this.queueWaiters;
      this.queueWaiters = [];
      for (const wake of waiters) wake();
    });
    this.written.push({ member: name, size, sha256 });
  }

  /**
   * A text member of JSON lines. Up to `KEPT_LINES_BYTES` of them are encoded once and kept; past
   * that, `lines` is called a second time to write them (the member's size must be known first).
   */
  async addLines(name: string, lines: () => Iterable<string>): Promise<WrittenMember> {
    let size = 0;
    let kept: Buffer[] | undefined = [];
    for (const line of lines()) {
      const encoded = Buffer.from(line);
      size += encoded.byteLength;
      if (kept && size <= KEPT_LINES_BYTES) kept.push(encoded);
      else kept = undefined;
    }
    const outcome = await this.addMember(name, size, kept ? [Buffer.concat(kept)] : encodeEach(lines()));
    return { member: name, size, sha256: outcome.sha256 };
  }

  /** Writes the checksums of every member, ends the archive and waits until `out` has it all. */
  async finish(): Promise<void> {
    const listed = [...this.written];
    await this.addLines(CHECKSUMS_MEMBER, () => listed.map((member) => encodeLine(member)));
    this.pack.finalize();
    await this.done;
  }

  /** Stops writing: `out` is left with a broken archive, which every reader refuses. */
  abort(error: unknown): void {
    this.failure ??= error;
    this.pack.destroy(error instanceof Error ? error : new Error(String(error)));
  }

  private async drained(stream: NodeJS.EventEmitter): Promise<void> {
    await Promise.race([once(stream, 'drain'), this.done]);
  }

  private assertWorking(): void {
    if (this.failure !== undefined) throw this.failure;
  }
}

function* encodeEach(lines: Iterable<string>): Iterable<Uint8Array> {
  let batch = '';
  for (const line of lines) {
    batch += line;
    if (batch.length >= 64 * 1024) {
      yield Buffer.from(batch);
      batch = '';
    }
  }
  if (batch) yield Buffer.from(batch);
}
