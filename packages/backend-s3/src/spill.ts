import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { Readable as NodeReadable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/** A body staged in a temporary file, so it can be sent (and re-sent) with a known length. */
export interface SpilledBody {
  size: number;
  open(): Readable;
  remove(): Promise<void>;
}

export async function spillToFile(
  chunks: AsyncIterable<Uint8Array>,
  directory: string | undefined,
): Promise<SpilledBody> {
  const folder = await mkdtemp(join(directory ?? tmpdir(), 'datalake-s3-'));
  const path = join(folder, 'body');
  const remove = () => rm(folder, { recursive: true, force: true });
  let size = 0;
  async function* counted() {
    for await (const chunk of chunks) {
      size += chunk.byteLength;
      yield chunk;
    }
  }
  try {
    await pipeline(NodeReadable.from(counted()), createWriteStream(path));
  } catch (error) {
    await remove();
    throw error;
  }
  return { size, open: () => createReadStream(path), remove };
}
