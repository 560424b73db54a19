import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { PassThrough, type Writable } from 'node:stream';
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
  /** Bytes that went to `out` (compressed, when gzip). */
  bytesOut = 0;

  constructor(out: Writable, options: { gzip?: boolean } = {}) {
    const counter = new PassThrough();
    counter.on('data', (chunk: Buffer) => {
      this.bytesOut += chunk.byteLength;
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

  /** A text member of JSON lines; `lines` is called twice (once to size the member, once to write it). */
  async addLines(name: string, lines: () => Iterable<string>): Promise<WrittenMember> {
    let size = 0;
    for (const line of lines()) size += Buffer.byteLength(line);
    const outcome = await this.addMember(name, size, encodeEach(lines()));
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
