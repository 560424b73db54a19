import { createHash } from 'node:crypto';
import { collectBody } from '../../src/backend/body.js';
import { compareKeys } from '../../src/backend/keys.js';
import { pageFromSortedObjects } from '../../src/backend/list-page.js';
import type {
  BodyInput,
  GetOptions,
  GetResult,
  ListOptions,
  ListPage,
  ObjectInfo,
  PutOptions,
  PutResult,
  StorageBackend,
} from '../../src/backend/types.js';
import { PreconditionFailedError } from '../../src/model/errors.js';

interface Stored {
  bytes: Uint8Array;
  etag: string;
  lastModified: Date;
}

/**
 * A minimal in-memory backend for search tests (the memory backend package depends on core, so
 * core's tests cannot use it). Counts reads so tests can see what the index avoided.
 */
export class SearchTestBackend implements StorageBackend {
  readonly description = 'search-test-memory';
  readonly capabilities = {
    atomicConditionalWrites: true,
    atomicConditionalDeletes: true,
    sharedAcrossProcesses: false,
    persistent: false,
  };
  readonly objects = new Map<string, Stored>();
  gets = 0;

  async put(key: string, body: BodyInput, options: PutOptions = {}): Promise<PutResult> {
    const bytes = new Uint8Array(await collectBody(body));
    const existing = this.objects.get(key);
    if (options.ifNoneMatch === '*' && existing) throw new PreconditionFailedError(`${key} exists`);
    if (options.ifMatch !== undefined && existing?.etag !== options.ifMatch)
      throw new PreconditionFailedError(`${key} changed`);
    const etag = createHash('md5').update(bytes).digest('hex');
    this.objects.set(key, { bytes, etag, lastModified: new Date() });
    return { etag, size: bytes.byteLength };
  }

  async get(key: string, options: GetOptions = {}): Promise<GetResult | null> {
    this.gets++;
    const stored = this.objects.get(key);
    if (!stored) return null;
    const info = this.info(key, stored);
    if (!options.range) return { ...info, body: once(stored.bytes) };
    const start = options.range.start;
    const end = Math.min(options.range.end ?? stored.bytes.byteLength - 1, stored.bytes.byteLength - 1);
    return { ...info, body: once(stored.bytes.subarray(start, end + 1)), range: { start, end } };
  }

  async head(key: string): Promise<ObjectInfo | null> {
    const stored = this.objects.get(key);
    return stored ? this.info(key, stored) : null;
  }

  async delete(key: string): Promise<boolean> {
    return this.objects.delete(key);
  }

  async list(prefix: string, options?: ListOptions): Promise<ListPage> {
    const sorted = [...this.objects.entries()]
      .map(([key, stored]) => ({
        key,
        size: stored.bytes.byteLength,
        etag: stored.etag,
        lastModified: stored.lastModified,
      }))
      .sort((a, b) => compareKeys(a.key, b.key));
    return pageFromSortedObjects(sorted, prefix, options);
  }

  private info(key: string, stored: Stored): ObjectInfo {
    return { key, size: stored.bytes.byteLength, etag: stored.etag, lastModified: stored.lastModified };
  }
}

async function* once(bytes: Uint8Array): AsyncIterable<Uint8Array> {
  yield bytes;
}
