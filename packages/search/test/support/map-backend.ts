import {
  type BodyInput,
  collectBody,
  compareKeys,
  type DeleteOptions,
  type GetOptions,
  type GetResult,
  type ListOptions,
  type ListPage,
  type ObjectInfo,
  PreconditionFailedError,
  type PutOptions,
  type PutResult,
  type StorageBackend,
} from '@datalake/model';

interface StoredObject {
  bytes: Uint8Array;
  etag: string;
  lastModified: Date;
}

/**
 * Storage over a `Map` for the search's own tests. Search callers are the lake's code, which passes
 * only valid keys and options, so this keeps to what search uses: conditional puts, byte ranges,
 * deletes and paged prefix listing in key order. (Core's checking front is tested in core.)
 */
export class MapBackend implements StorageBackend {
  readonly description = 'map';
  readonly capabilities = {
    atomicConditionalWrites: true,
    atomicConditionalDeletes: true,
    sharedAcrossProcesses: false,
    persistent: false,
  };
  readonly #objects = new Map<string, StoredObject>();
  #version = 0;

  async put(key: string, body: BodyInput, options: PutOptions = {}): Promise<PutResult> {
    const bytes = (await collectBody(body)).slice();
    const current = this.#objects.get(key);
    const mode = options.mode ?? { kind: 'overwrite' };
    if (mode.kind === 'create' && current) throw new PreconditionFailedError(`${key} already exists`);
    if (mode.kind === 'replace' && current?.etag !== mode.etag) {
      throw new PreconditionFailedError(`${key} is not at version ${mode.etag}`);
    }
    const etag = `"${++this.#version}"`;
    this.#objects.set(key, { bytes, etag, lastModified: new Date() });
    return { etag, size: bytes.byteLength };
  }

  async get(key: string, options: GetOptions = {}): Promise<GetResult | null> {
    const stored = this.#objects.get(key);
    if (!stored) return null;
    const size = stored.bytes.byteLength;
    const start = options.range?.start ?? 0;
    const end = Math.min(options.range?.end ?? size - 1, size - 1);
    const bytes = stored.bytes.slice(start, end + 1);
    return {
      ...this.info(key, stored),
      body: (async function* () {
        yield bytes;
      })(),
      ...(options.range ? { range: { start, end } } : {}),
    };
  }

  async head(key: string): Promise<ObjectInfo | null> {
    const stored = this.#objects.get(key);
    return stored ? this.info(key, stored) : null;
  }

  async delete(key: string, options: DeleteOptions = {}): Promise<boolean> {
    const current = this.#objects.get(key);
    if (options.ifMatch !== undefined && current?.etag !== options.ifMatch) {
      throw new PreconditionFailedError(`${key} is not at version ${options.ifMatch}`);
    }
    return this.#objects.delete(key);
  }

  async list(prefix: string, options: ListOptions = {}): Promise<ListPage> {
    const limit = options.limit ?? 1000;
    const after = options.cursor ?? options.startAfter;
    const keys = [...this.#objects.keys()]
      .filter((key) => key.startsWith(prefix) && (after === undefined || compareKeys(key, after) > 0))
      .sort(compareKeys);
    const page = keys.slice(0, limit);
    const objects = page.map((key) => {
      const { bytes, etag, lastModified } = this.#objects.get(key) as StoredObject;
      return { key, size: bytes.byteLength, etag, lastModified: new Date(lastModified) };
    });
    const last = page.at(-1);
    return { objects, prefixes: [], ...(keys.length > limit && last !== undefined ? { cursor: last } : {}) };
  }

  private info(key: string, { bytes, etag, lastModified }: StoredObject): ObjectInfo {
    return { key, size: bytes.byteLength, etag, lastModified: new Date(lastModified) };
  }
}
