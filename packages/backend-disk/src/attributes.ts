import { type FolderGuard, LinkInTheWay } from './containment.js';
import {
  type DiskFs,
  type DiskSyncFs,
  errorCode,
  isNoFollowRefusal,
  readFileNoFollow,
  readFileNoFollowSync,
} from './disk-fs.js';
import { ATTRIBUTE_FOLDER, type DiskLayout } from './layout.js';

/** What S3 keeps beside an object's bytes; files have nowhere to hold it, so it goes to a side file. */
export interface ObjectAttributes {
  contentType?: string;
  metadata?: Record<string, string>;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * Side files for content type and user metadata, in the internal folder, named after the key and
 * the etag of the object version they describe. A version's side file is written before the
 * version becomes visible, and is ignored once the object has another etag, so a side file can
 * never describe the wrong bytes (at worst a crashed write leaves an unused one behind).
 * Like every path below the root, the folder is checked for symbolic links before each use, and
 * side files are read without following one.
 */
export class AttributeStore {
  constructor(
    private readonly fs: DiskFs,
    private readonly layout: DiskLayout,
    private readonly guard: FolderGuard,
  ) {}

  static isEmpty(attributes: ObjectAttributes): boolean {
    return (
      attributes.contentType === undefined &&
      (attributes.metadata === undefined || Object.keys(attributes.metadata).length === 0)
    );
  }

  /** Writes the side file of one object version; returns its path (to remove if the write is abandoned). */
  async write(key: string, etag: string, attributes: ObjectAttributes, durable: boolean): Promise<string> {
    const file = this.layout.attributePath(key, etag);
    const bytes = encoder.encode(JSON.stringify({ key, etag, ...attributes }));
    const handle = await this.openForWrite(file);
    try {
      await handle.write(bytes, 0, bytes.byteLength, 0);
      if (durable) await handle.datasync();
    } finally {
      await handle.close();
    }
    return file;
  }

  async read(key: string, etag: string): Promise<ObjectAttributes> {
    if ((await this.guard.check(ATTRIBUTE_FOLDER)) !== 'present') return {};
    const file = this.layout.attributePath(key, etag);
    let bytes: Uint8Array;
    try {
      bytes = await readFileNoFollow(this.fs, file);
    } catch (error) {
      return noAttributesOrThrow(error, file, this.layout);
    }
    return parseAttributes(bytes, key);
  }

  /** `read` with synchronous calls (side files are small). */
  readSync(sync: DiskSyncFs, key: string, etag: string): ObjectAttributes {
    if (this.guard.checkSync(ATTRIBUTE_FOLDER) !== 'present') return {};
    const file = this.layout.attributePath(key, etag);
    let bytes: Uint8Array;
    try {
      bytes = readFileNoFollowSync(sync, file);
    } catch (error) {
      return noAttributesOrThrow(error, file, this.layout);
    }
    return parseAttributes(bytes, key);
  }

  async remove(key: string, etag: string): Promise<void> {
    if ((await this.guard.check(ATTRIBUTE_FOLDER)) !== 'present') return;
    // `unlink` removes a link itself, never what it points at.
    await this.fs.unlink(this.layout.attributePath(key, etag)).catch((error: unknown) => {
      if (errorCode(error) !== 'ENOENT') throw error;
    });
  }

  private async openForWrite(file: string) {
    await this.guard.ensure(ATTRIBUTE_FOLDER);
    // `'wx'` (O_EXCL) fails on an existing link instead of following it.
    return await this.fs.open(file, 'wx');
  }
}

function noAttributesOrThrow(error: unknown, file: string, layout: DiskLayout): ObjectAttributes {
  if (errorCode(error) === 'ENOENT') return {};
  if (isNoFollowRefusal(error)) throw new LinkInTheWay(layout.keyOf(file));
  throw error;
}

function parseAttributes(bytes: Uint8Array, key: string): ObjectAttributes {
  try {
    const stored = JSON.parse(decoder.decode(bytes)) as ObjectAttributes & { key?: string };
    if (stored.key !== key) return {};
    const attributes: ObjectAttributes = {};
    if (typeof stored.contentType === 'string') attributes.contentType = stored.contentType;
    if (stored.metadata && typeof stored.metadata === 'object') attributes.metadata = stored.metadata;
    return attributes;
  } catch {
    // A torn side file belongs to a write that never became visible.
    return {};
  }
}
