import path from 'node:path';
import { type BodyInput, bodyChunks } from '@datalake/core';
import type { FolderGuard } from './containment.js';
import type { DiskFileHandle, DiskFs, DiskSyncFs } from './disk-fs.js';
import { type ObjectStat, objectStat, toUtimesSeconds, type WriteClock } from './etag.js';
import { type DiskLayout, TEMP_FOLDER } from './layout.js';
import { tempFileName } from './owner.js';

export interface TempFile {
  path: string;
  /** Size and etag the object will have once the temp file is renamed (or linked) into place. */
  stat: ObjectStat;
}

export interface TempWriteOptions {
  durable: boolean;
}

/**
 * Streams a body into a new temp file in the internal folder, chunk by chunk, stamps it with a
 * fresh modification time and optionally fsyncs it. On any failure the temp file is removed.
 */
export async function writeTempFile(
  fs: DiskFs,
  layout: DiskLayout,
  guard: FolderGuard,
  clock: WriteClock,
  body: BodyInput,
  options: TempWriteOptions,
): Promise<TempFile> {
  const file = path.join(layout.tempDir, tempFileName());
  await guard.ensure(TEMP_FOLDER);
  const handle = await fs.open(file, 'wx');
  try {
    await writeBody(handle, body);
    const stamp = toUtimesSeconds(clock.next());
    await handle.utimes(stamp, stamp);
    if (options.durable) await handle.datasync();
    const stat = objectStat(await handle.stat());
    await handle.close();
    return { path: file, stat };
  } catch (error) {
    await handle.close().catch(() => undefined);
    await fs.unlink(file).catch(() => undefined);
    throw error;
  }
}

/**
 * `writeTempFile` for a small buffered body that need not be fsynced, in synchronous calls: each
 * takes microseconds, while a thread-pool round trip per call would cost several times the work.
 */
export function writeSmallTempFileSync(
  fs: DiskSyncFs,
  layout: DiskLayout,
  guard: FolderGuard,
  clock: WriteClock,
  bytes: Uint8Array,
): TempFile {
  const file = path.join(layout.tempDir, tempFileName());
  guard.ensureSync(TEMP_FOLDER);
  const fd = fs.openSync(file, 'wx');
  try {
    let offset = 0;
    while (offset < bytes.byteLength) {
      const written = fs.writeSync(fd, bytes, offset, bytes.byteLength - offset, offset);
      if (written <= 0) throw new Error('the file system accepted no bytes');
      offset += written;
    }
    const stamp = toUtimesSeconds(clock.next());
    fs.futimesSync(fd, stamp, stamp);
    const stat = objectStat(fs.fstatSync(fd));
    fs.closeSync(fd);
    return { path: file, stat };
  } catch (error) {
    try {
      fs.closeSync(fd);
    } catch {}
    try {
      fs.unlinkSync(file);
    } catch {}
    throw error;
  }
}

async function writeBody(handle: DiskFileHandle, body: BodyInput): Promise<number> {
  let position = 0;
  for await (const chunk of bodyChunks(body)) {
    let offset = 0;
    while (offset < chunk.byteLength) {
      const { bytesWritten } = await handle.write(chunk, offset, chunk.byteLength - offset, position);
      if (bytesWritten <= 0) throw new Error('the file system accepted no bytes');
      offset += bytesWritten;
      position += bytesWritten;
    }
  }
  return position;
}
