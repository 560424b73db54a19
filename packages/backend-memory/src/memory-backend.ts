import {
  type AdapterListOptions,
  type AdapterListPage,
  type AdapterPutOptions,
  assertEtagHolds,
  assertModeHolds,
  type BodyInput,
  bodyChunks,
  concatBytes,
  type DeleteOptions,
  type GetOptions,
  type GetResult,
  type ListedObject,
  type ObjectInfo,
  type PutResult,
  SortedKeys,
  type StorageAdapter,
  StorageFront,
} from '@datalake/core';

interface StoredObject extends ListedObject {
  bytes: Uint8Array;
  contentType?: string;
  metadata?: Record<string, string>;
}

/**
 * Objects in process memory, in a key-ordered index (core's `SortedKeys`). Bytes are copied on the
 * way in and out. Each mode is checked and applied in one synchronous step, so conditional writes
 * are exact and atomic within the process. Core's front has checked every argument before.
 */
class MemoryAdapter implements StorageAdapter {
  readonly description = 'memory';
  readonly capabilities = Object.freeze({
    atomicConditionalWrites: true,
    atomicConditionalDeletes: true,
    sharedAcrossProcesses: false,
    persistent: false,
    objectMetadata: true,
    delimiterListing: true,
  });
  #objects = new SortedKeys<StoredObject>();
  #writes = 0;

  async put(key: string, body: BodyInput, options: AdapterPutOptions): Promise<PutResult> {
    const chunks: Uint8Array[] = [];
    if (body instanceof Uint8Array) chunks.push(body.slice());
    else for await (const chunk of bodyChunks(body)) chunks.push(chunk.slice());
    const bytes = concatBytes(chunks);
    // No `await` from here on: the mode and the write are one atomic step.
    assertModeHolds(key, options.mode, this.#objects.get(key)?.etag);
    const etag = `"m${(++this.#writes).toString(36)}"`;
    const stored: StoredObject = { key, size: bytes.byteLength, etag, lastModified: new Date(), bytes };
    if (options.contentType !== undefined) stored.contentType = options.contentType;
    if (options.metadata !== undefined) stored.metadata = { ...options.metadata };
    this.#objects.set(stored);
    return { etag, size: stored.size };
  }

  async get(key: string, options: GetOptions): Promise<GetResult | null> {
    const stored = this.#objects.get(key);
    if (!stored) return null;
    const { start = 0, end = stored.size } = options.range ?? {};
    return { ...describe(stored), body: bodyChunks(stored.bytes.slice(start, end + 1)) };
  }

  async head(key: string): Promise<ObjectInfo | null> {
    const stored = this.#objects.get(key);
    return stored ? describe(stored) : null;
  }

  async delete(key: string, options: DeleteOptions): Promise<boolean> {
    assertEtagHolds('delete', key, options.ifMatch, this.#objects.get(key)?.etag);
    return this.#objects.delete(key);
  }

  async list(prefix: string, options: AdapterListOptions): Promise<AdapterListPage> {
    const page = this.#objects.page(prefix, options);
    return {
      ...page,
      objects: page.objects.map(({ key, size, etag, lastModified }) => ({
        key,
        size,
        etag,
        lastModified: new Date(lastModified),
      })),
    };
  }

  async close(): Promise<void> {
    this.#objects = new SortedKeys();
  }
}

/** A `StorageBackend` that keeps every object in process memory: the memory adapter behind core's checking front. */
export class MemoryBackend extends StorageFront {
  constructor() {
    super(new MemoryAdapter());
  }
}

function describe({ key, size, etag, lastModified, contentType, metadata }: StoredObject): ObjectInfo {
  const info: ObjectInfo = { key, size, etag, lastModified: new Date(lastModified) };
  if (contentType !== undefined) info.contentType = contentType;
  if (metadata !== undefined) info.metadata = { ...metadata };
  return info;
}
