import { mkdir, open, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * The baseline for the disk backend: what a careful program does by hand to write a file atomically
 * (temp file in the same folder, optionally fdatasync, rename into place) and to read it back.
 */
export class RawFsStore {
  private readonly madeFolders = new Set<string>();

  constructor(
    private readonly root: string,
    private readonly fsync: boolean,
  ) {}

  async write(relativePath: string, bytes: Uint8Array): Promise<void> {
    const target = this.resolve(relativePath);
    const folder = path.dirname(target);
    if (!this.madeFolders.has(folder)) {
      await mkdir(folder, { recursive: true });
      this.madeFolders.add(folder);
    }
    const temp = `${target}.tmp`;
    if (this.fsync) {
      const handle = await open(temp, 'w');
      try {
        await handle.write(bytes, 0, bytes.byteLength, 0);
        await handle.datasync();
      } finally {
        await handle.close();
      }
    } else {
      await writeFile(temp, bytes);
    }
    await rename(temp, target);
  }

  async read(relativePath: string): Promise<Uint8Array> {
    return readFile(this.resolve(relativePath));
  }

  private resolve(relativePath: string): string {
    return path.join(this.root, ...relativePath.split('/'));
  }
}
