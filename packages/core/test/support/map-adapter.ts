import {
  type AdapterListOptions,
  type AdapterListPage,
  type AdapterPutOptions,
  type BodyInput,
  collectBody,
  compareKeys,
  type DeleteOptions,
  type GetOptions,
  type GetResult,
  PreconditionFailedError,
  type PutResult,
  type StorageAdapter,
} from '@datalake/core';

interface StoredObject {
  bytes: Uint8Array;
  etag: string;
  lastModified: Date;
}

/**
 * A complete storage adapter over a `Map`. It validates nothing itself: core's front checks keys,
 * options and ranges before calling it, and checks what it returns.
 */
export class MapAdapter implements StorageAdapter {
  readonly description = 'map';
  readonly capabilities = {
    atomicConditionalWrites: true,
    atomicConditionalDeletes: true,
    sharedAcrossProcesses: false,
    persistent: false,
  };
  readonly #objects = new Map<string, StoredObject>();
  #version = 0;

  async put(key: string, body: BodyInput, options: AdapterPutOptions): Promise<PutResult> {
    // Read the whole body first (a failing stream throws here, before anything is stored), and
    // copy it: the caller may reuse its buffer.
    const bytes = (await collectBody(body)).slice();
    // No `await` from here on: checking the mode and writing is one atomic step.
    const current = this.#objects.get(key);
    if (options.mode.kind === 'create' && current) {
      throw new PreconditionFailedError(`${key} already exists`);
    }
    if (options.mode.kind === 'replace' && current?.etag !== options.mode.etag) {
      throw new PreconditionFailedError(`${key} is not at version ${options.mode.etag}`);
    }
    const etag = `"${++this.#version}"`;
    this.#objects.set(key, { bytes, etag, lastModified: new Date() });
    return { etag, size: bytes.byteLength };
  }

  async get(key: string, options: GetOptions): Promise<GetResult | null> {
    const stored = this.#objects.get(key);
    if (!stored) return null;
    const { start = 0, end = stored.bytes.byteLength } = options.range ?? {};
    // slice() clamps an end past the object; the front refuses a start past it.
    const bytes = stored.bytes.slice(start, end + 1);
    return {
      key,
      size: stored.bytes.byteLength,
      etag: stored.etag,
      lastModified: new Date(stored.lastModified),
      body: (async function* () {
        yield bytes;
      })(),
    };
  }

  async delete(key: string, options: DeleteOptions): Promise<boolean> {
    const current = this.#objects.get(key);
    if (options.ifMatch !== undefined && current?.etag !== options.ifMatch) {
      throw new PreconditionFailedError(`${key} is not at version ${options.ifMatch}`);
    }
    return this.#objects.delete(key);
  }

  async list(prefix: string, options: AdapterListOptions): Promise<AdapterListPage> {
    const { after, limit } = options;
    const keys = [...this.#objects.keys()]
      .filter((key) => key.startsWith(prefix) && (after === undefined || compareKeys(key, after) > 0))
      .sort(compareKeys);
    const objects = keys.slice(0, limit).map((key) => {
      const { bytes, etag, lastModified } = this.#objects.get(key) as StoredObject;
      return { key, size: bytes.byteLength, etag, lastModified: new Date(lastModified) };
    });
    return { objects, more: keys.length > limit };
  }
}
