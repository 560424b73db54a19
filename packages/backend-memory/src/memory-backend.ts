import {
  assertValidKey,
  assertValidPrefix,
  type BackendCapabilities,
  type BodyInput,
  bodyChunks,
  ClosedError,
  concatBytes,
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
  resolveRange,
  type StorageBackend,
  ValidationError,
} from '@datalake/core';
import type { OrderedRecord } from './key-order.js';

import { listWindow } from './list-window.js';

import { SortedObjectIndex } from './sorted-index.js';

interface StoredObject {
  listed: OrderedRecord;
  bytes: Uint8Array;
  contentType?: string;
  metadata?: Record<string, string>;
}

const CAPABILITIES: BackendCapabilities = Object.freeze({
  atomicConditionalWrites: true,
  atomicConditionalDeletes: true,
  sharedAcrossProcesses: false,
  persistent: false,
});

/**
 * A `StorageBackend` that keeps every object in process memory. Bytes are copied on the way
 * in and out, so callers may reuse their buffers. Conditional writes are exact and atomic
 * within the process (the condition is checked and the object written in one synchronous step).
 */
export class MemoryBackend implements StorageBackend {
  readonly description = 'memory';
  readonly capabilities = CAPABILITIES;

  readonly #objects = new Map<string, StoredObject>();
  readonly #index = new SortedObjectIndex();
  #writeCount = 0;
  #closed = false;

  async put(key: string, body: BodyInput, options: PutOptions = {}): Promise<PutResult> {
    this.#assertOpen();
    assertValidKey(key);
    assertPutOptions(options);
    const bytes = await copyBody(body);
    if (options.contentLength !== undefined && options.contentLength !== bytes.byteLength) {
      throw new ValidationError(
        `body of ${JSON.stringify(key)} has ${bytes.byteLength} bytes, but contentLength said ${options.contentLength}`,
        { details: { key } },
      );
    }
    // From here to the end there is no `await`: the condition and the write are one atomic step.
    this.#assertOpen();
    this.#checkCondition(key, options);
    const previous = this.#objects.get(key);
    const listed = previous?.listed ?? { key, size: 0, etag: '', lastModified: new Date(0), plain: false };
    // Overwrites update the indexed record in place: its position in key order does not change.
    listed.size = bytes.byteLength;
    listed.etag = this.#nextEtag();
    listed.lastModified = new Date();
    const stored: StoredObject = { listed, bytes };
    if (options.contentType !== undefined) stored.contentType = options.contentType;
    if (options.metadata !== undefined) stored.metadata = { ...options.metadata };
    this.#objects.set(key, stored);
    if (!previous) this.#index.add(listed);
    return { etag: listed.etag, size: listed.size };
  }

  async get(key: string, options: GetOptions = {}): Promise<GetResult | null> {
    this.#assertOpen();
    assertValidKey(key);
    const stored = this.#objects.get(key);
    if (!stored) return null;
    const info = describe(stored);
    if (options.range === undefined) return { ...info, body: bodyChunks(stored.bytes.slice()) };
    const range = resolveRange(options.range, stored.bytes.byteLength, key);
    if (range === undefined) return { ...info, body: bodyChunks(new Uint8Array(0)) };
    return { ...info, range, body: bodyChunks(stored.bytes.slice(range.start, range.end + 1)) };
  }

  async head(key: string): Promise<ObjectInfo | null> {
    this.#assertOpen();
    assertValidKey(key);
    const stored = this.#objects.get(key);
    return stored ? describe(stored) : null;
  }

  async delete(key: string, options: DeleteOptions = {}): Promise<boolean> {
    this.#assertOpen();
    assertValidKey(key);
    const stored = this.#objects.get(key);
    if (options.ifMatch !== undefined && stored?.listed.etag !== options.ifMatch) {
      throw new PreconditionFailedError(
        stored
          ? `delete of ${JSON.stringify(key)} refused: its etag is ${stored.listed.etag}, not ${options.ifMatch}`
          : `delete of ${JSON.stringify(key)} refused: the object does not exist (expected etag ${options.ifMatch})`,
        { details: { key } },
      );
    }
    if (!stored) return false;
    this.#objects.delete(key);
    this.#index.remove(stored.listed);
    return true;
  }

  async list(prefix: string, options: ListOptions = {}): Promise<ListPage> {
    this.#assertOpen();
    assertValidPrefix(prefix);
    const page = pageFromSortedObjects(listWindow(this.#index, prefix, options), prefix, options);
    // The index holds live records: hand out copies so callers cannot alter stored state.
    return { ...page, objects: page.objects.map(copyListed) };
  }

  /** Drops every object. The backend cannot be used afterwards. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#objects.clear();
    this.#index.clear();
  }

  #checkCondition(key: string, options: PutOptions): void {
    const current = this.#objects.get(key);
    if (options.ifNoneMatch === '*' && current) {
      throw new PreconditionFailedError(`put of ${JSON.stringify(key)} refused: the object already exists`, {
        details: { key },
      });
    }
    if (options.ifMatch !== undefined && current?.listed.etag !== options.ifMatch) {
      throw new PreconditionFailedError(
        current
          ? `put of ${JSON.stringify(key)} refused: its etag is ${current.listed.etag}, not ${options.ifMatch}`
          : `put of ${JSON.stringify(key)} refused: the object does not exist (expected etag ${options.ifMatch})`,
        { details: { key } },
      );
    }
  }

  #nextEtag(): string {
    this.#writeCount += 1;
    return `"m${this.#writeCount.toString(36)}"`;
  }

  #assertOpen(): void {
    if (this.#closed) throw new ClosedError('the memory backend is closed');
  }
}

function assertPutOptions(options: PutOptions): void {
  if (options.ifNoneMatch !== undefined && options.ifNoneMatch !== '*') {
    throw new ValidationError(`ifNoneMatch only accepts '*', got ${JSON.stringify(options.ifNoneMatch)}`);
  }
  if (options.ifMatch !== undefined && (typeof options.ifMatch !== 'string' || options.ifMatch === '')) {
    throw new ValidationError('ifMatch must be a non-empty etag string');
  }
}

/** Reads a body into a buffer the caller does not share, whatever shape it came in. */
async function copyBody(body: BodyInput): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of bodyChunks(body)) chunks.push(chunk.slice());
  return chunks.length === 0 ? new Uint8Array() : concatBytes(chunks);
}

function describe(stored: StoredObject): ObjectInfo {
  const info: ObjectInfo = { ...copyListed(stored.listed) };
  if (stored.contentType !== undefined) info.contentType = stored.contentType;
  if (stored.metadata !== undefined) info.metadata = { ...stored.metadata };
  return info;
}

function copyListed(object: ListedObject): ListedObject {
  return {
    key: object.key,
    size: object.size,
    etag: object.etag,
    lastModified: new Date(object.lastModified),
  };
}
