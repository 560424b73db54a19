import {
  assertValidKey,
  type BackendCapabilities,
  type BodyInput,
  collectBody,
  compareKeys,
  type DeleteOptions,
  type GetOptions,
  type GetResult,
  type ListedObject,
  type ListOptions,
  type ListPage,
  type ObjectInfo,
  PreconditionFailedError,
  type PutOptions,
  type PutResult,
  pageFromSortedObjects,
  type StorageBackend,
  ValidationError,
} from '../../src/index.js';

interface StoredObject {
  bytes: Uint8Array;
  etag: string;
  lastModified: Date;
  contentType?: string;
  metadata?: Record<string, string>;
}

/**
 * The smallest complete adapter: a `Map` of keys to objects. It is the reference the strictness
 * tests break on purpose, and the example adapter of CONTRACT.md.
 */
export class MapBackend implements StorageBackend {
  readonly description = 'map';
  readonly capabilities: BackendCapabilities = {
    atomicConditionalWrites: true,
    atomicConditionalDeletes: true,
    sharedAcrossProcesses: false,
    persistent: false,
  };
  private readonly objects = new Map<string, StoredObject>();
  private version = 0;

  async put(key: string, body: BodyInput, options: PutOptions = {}): Promise<PutResult> {
    assertKey(key);
    // Copy: the caller may reuse its buffer. A failing stream throws here, before anything is stored.
    const bytes = (await collectBody(body)).slice();
    // No `await` from here on, so checking the condition and writing is one atomic step.
    const current = this.objects.get(key);
    if (options.ifNoneMatch === '*' && current) throw new PreconditionFailedError(`${key} already exists`);
    if (options.ifMatch !== undefined && current?.etag !== options.ifMatch) {
      throw new PreconditionFailedError(`${key} is not at version ${options.ifMatch}`);
    }
    const stored: StoredObject = { bytes, etag: `"${++this.version}"`, lastModified: new Date() };
    if (options.contentType !== undefined) stored.contentType = options.contentType;
    if (options.metadata !== undefined) stored.metadata = { ...options.metadata };
    this.objects.set(key, stored);
    return { etag: stored.etag, size: bytes.byteLength };
  }

  async get(key: string, options: GetOptions = {}): Promise<GetResult | null> {
    assertKey(key);
    const stored = this.objects.get(key);
    if (!stored) return null;
    const info = describe(key, stored);
    const { range } = options;
    if (range === undefined || stored.bytes.byteLength === 0)
      return { ...info, body: once(stored.bytes.slice()) };
    const size = stored.bytes.byteLength;
    const valid = Number.isSafeInteger(range.start) && range.start >= 0 && range.start < size;
    if (
      !valid ||
      (range.end !== undefined && !(Number.isSafeInteger(range.end) && range.end >= range.start))
    ) {
      throw new ValidationError(`unsatisfiable range ${JSON.stringify(range)} for ${key} (${size} bytes)`);
    }
    const end = Math.min(range.end ?? size - 1, size - 1);
    return {
      ...info,
      range: { start: range.start, end },
      body: once(stored.bytes.slice(range.start, end + 1)),
    };
  }

  async head(key: string): Promise<ObjectInfo | null> {
    assertKey(key);
    const stored = this.objects.get(key);
    return stored ? describe(key, stored) : null;
  }

  async delete(key: string, options: DeleteOptions = {}): Promise<boolean> {
    assertKey(key);
    const current = this.objects.get(key);
    if (options.ifMatch !== undefined && current?.etag !== options.ifMatch) {
      throw new PreconditionFailedError(`${key} is not at version ${options.ifMatch}`);
    }
    return this.objects.delete(key);
  }

  async list(prefix: string, options: ListOptions = {}): Promise<ListPage> {
    const sorted: ListedObject[] = [...this.objects]
      .filter(([key]) => key.startsWith(prefix))
      .map(([key, stored]) => ({
        key,
        size: stored.bytes.byteLength,
        etag: stored.etag,
        lastModified: stored.lastModified,
      }))
      .sort((a, b) => compareKeys(a.key, b.key));
    return pageFromSortedObjects(sorted, prefix, options);
  }
}

function assertKey(key: string): void {
  assertValidKey(key);
  // Lone surrogates have no UTF-8 form; core's assertValidKey does not reject them yet.
  if (/\p{Cs}/u.test(key))
    throw new ValidationError(`invalid storage key ${JSON.stringify(key)}: lone surrogate`);
}

function describe(key: string, stored: StoredObject): ObjectInfo {
  const info: ObjectInfo = {
    key,
    size: stored.bytes.byteLength,
    etag: stored.etag,
    lastModified: new Date(stored.lastModified),
  };
  if (stored.contentType !== undefined) info.contentType = stored.contentType;
  if (stored.metadata !== undefined) info.metadata = { ...stored.metadata };
  return info;
}

async function* once(bytes: Uint8Array): AsyncIterable<Uint8Array> {
  yield bytes;
}
