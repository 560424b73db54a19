import type {
  AdapterCopyOptions,
  AdapterPutOptions,
  BackendCapabilities,
  BodyInput,
  CopyOptions,
  DeleteOptions,
  GetOptions,
  GetResult,
  ListOptions,
  ListPage,
  ObjectInfo,
  PutOptions,
  PutResult,
  StorageAdapter,
  StorageBackend,
} from '@datalake/model';
import { assertValidKey, ClosedError, checkedPutMode, ValidationError } from '@datalake/model';
import { copyByReading } from './copy-by-reading.js';
import { checkedBody } from './front-body.js';
import { contractBreach, typedError } from './front-errors.js';
import { checkedGetResult, checkedInfo, discardBody } from './front-get.js';
import { frontList } from './front-list.js';
import { assertValidRange } from './range.js';

const fronts = new WeakMap<StorageAdapter, StorageFront>();

/**
 * The checking front core puts around every adapter (what `DataLake.open` talks to). Each public
 * method validates and normalises its arguments, refuses calls after `close`, calls the adapter,
 * checks what came back, and turns foreign errors into typed ones, so an adapter implements only
 * the small `StorageAdapter` core and never sees invalid input.
 */
export class StorageFront implements StorageBackend {
  // Plain (not #private) fields, so objects made with `Object.create(front)` keep working.
  private readonly adapter: StorageAdapter;
  private closing: Promise<void> | undefined;

  /** The front of `backend`: itself if it is one, else the one front of that adapter. */
  static of(backend: StorageAdapter): StorageFront {
    if (backend instanceof StorageFront) return backend;
    let front = fronts.get(backend);
    if (!front) {
      front = new StorageFront(backend);
      fronts.set(backend, front);
    }
    return front;
  }

  constructor(adapter: StorageAdapter) {
    if (adapter === null || typeof adapter !== 'object')
      throw new ValidationError('a storage adapter must be an object');
    for (const method of ['put', 'get', 'delete', 'list'] as const) {
      if (typeof adapter[method] !== 'function') {
        throw new ValidationError(`storage adapter ${String(adapter.description)} has no ${method}() method`);
      }
    }
    const capabilities = adapter.capabilities;
    if (capabilities?.ownCursors && !capabilities.delimiterListing) {
      throw new ValidationError(`storage adapter ${adapter.description}: ownCursors needs delimiterListing`);
    }
    this.adapter = adapter;
  }

  get description(): string {
    return this.adapter.description;
  }

  get capabilities(): BackendCapabilities {
    return this.adapter.capabilities;
  }

  /** True once `close()` was called. */
  get closed(): boolean {
    return this.closing !== undefined;
  }

  async put(key: string, body: BodyInput, options: PutOptions = {}): Promise<PutResult> {
    this.assertOpen();
    assertValidKey(key);
    const checked = this.putOptions(key, options);
    const { body: input, tally } = checkedBody(key, body, checked.contentLength);
    const result = await this.call('put', key, () => this.adapter.put(key, input, checked));
    if (typeof result?.etag !== 'string' || result.etag === '') {
      throw contractBreach(
        this.description,
        'put',
        key,
        `etag ${JSON.stringify(result?.etag)} is not a non-empty string`,
      );
    }
    if (tally.bytes !== undefined && result.size !== tally.bytes) {
      throw contractBreach(
        this.description,
        'put',
        key,
        `it reports ${result.size} bytes stored, the body had ${tally.bytes}`,
      );
    }
    return { etag: result.etag, size: result.size };
  }

  async get(key: string, options: GetOptions = {}): Promise<GetResult | null> {
    this.assertOpen();
    assertValidKey(key);
    const range = options?.range;
    if (range !== undefined) assertValidRange(range, key);
    const request = range === undefined ? {} : { range: { ...range } };
    const result = await this.call('get', key, () => this.adapter.get(key, request));
    if (result === null || result === undefined) return null;
    return checkedGetResult(this.description, key, range, result);
  }

  async head(key: string): Promise<ObjectInfo | null> {
    this.assertOpen();
    assertValidKey(key);
    const adapter = this.adapter;
    if (adapter.head) {
      const info = await this.call('head', key, () =>
        (adapter.head as NonNullable<StorageAdapter['head']>).call(adapter, key),
      );
      return info ? checkedInfo(this.description, 'head', key, info) : null;
    }
    const result = await this.call('head', key, () => adapter.get(key, {}));
    if (!result) return null;
    const { body, range: _range, ...info } = result;
    await discardBody(body);
    return checkedInfo(this.description, 'head', key, info);
  }

  async delete(key: string, options: DeleteOptions = {}): Promise<boolean> {
    this.assertOpen();
    assertValidKey(key);
    const ifMatch = options?.ifMatch;
    if (ifMatch !== undefined && (typeof ifMatch !== 'string' || ifMatch === '')) {
      throw new ValidationError(`delete of ${JSON.stringify(key)}: ifMatch must be a non-empty etag string`, {
        details: { key },
      });
    }
    const removed = await this.call('delete', key, () =>
      this.adapter.delete(key, ifMatch === undefined ? {} : { ifMatch }),
    );
    if (typeof removed !== 'boolean') {
      throw contractBreach(
        this.description,
        'delete',
        key,
        `it answered ${JSON.stringify(removed)} instead of true or false`,
      );
    }
    return removed;
  }

  async list(prefix: string, options?: ListOptions): Promise<ListPage> {
    this.assertOpen();
    return this.call('list', prefix, () => frontList(this.adapter, prefix, options));
  }

  /**
   * Copies `source` to `target`: natively when the adapter declares `copy`, else as a `get` of the
   * source and a `put` of its bytes (the version read is the version copied).
   */
  async copy(source: string, target: string, options: CopyOptions = {}): Promise<PutResult | null> {
    this.assertOpen();
    assertValidKey(source);
    assertValidKey(target);
    const checked = copyOptions(target, options);
    const adapter = this.adapter;
    if (!this.capabilities.copy || typeof adapter.copy !== 'function')
      return copyByReading(this, source, target, checked);
    const result = await this.call('copy', target, () =>
      (adapter.copy as NonNullable<StorageAdapter['copy']>).call(adapter, source, target, checked),
    );
    if (result === null) return null;
    if (typeof result?.etag !== 'string' || result.etag === '' || !Number.isSafeInteger(result.size)) {
      throw contractBreach(
        this.description,
        'copy',
        target,
        `it answered ${JSON.stringify(result)} instead of an etag and a size, or null`,
      );
    }
    return { etag: result.etag, size: result.size };
  }

  /** Closes the adapter once; later calls of any method throw `ClosedError`, later `close()`s do nothing. */
  close(): Promise<void> {
    this.closing ??= this.call('close', '', async () => {
      // An adapter without close() holds nothing: a later front over it may use it again.
      if (this.adapter.close) await this.adapter.close();
      else fronts.delete(this.adapter);
    });
    return this.closing;
  }

  private putOptions(key: string, options: PutOptions): AdapterPutOptions {
    if (options === null || typeof options !== 'object')
      throw new ValidationError(`put of ${JSON.stringify(key)}: options must be an object`);
    if ('ifMatch' in options || 'ifNoneMatch' in options) {
      throw new ValidationError(
        `put of ${JSON.stringify(key)}: ifMatch and ifNoneMatch are gone; use mode: PutMode.replace(etag) or PutMode.create`,
        { details: { key } },
      );
    }
    const checked: AdapterPutOptions = { mode: checkedPutMode(options.mode, key) };
    const { contentLength, contentType, metadata, deferDurability } = options;
    if (deferDurability !== undefined) {
      if (typeof deferDurability !== 'boolean')
        throw new ValidationError(`put of ${JSON.stringify(key)}: deferDurability must be a boolean`);
      if (deferDurability) checked.deferDurability = true;
    }
    if (contentLength !== undefined) {
      if (!Number.isSafeInteger(contentLength) || contentLength < 0) {
        throw new ValidationError(
          `put of ${JSON.stringify(key)}: contentLength must be a non-negative integer, got ${contentLength}`,
          {
            details: { key },
          },
        );
      }
      checked.contentLength = contentLength;
    }
    if (contentType === undefined && metadata === undefined) return checked;
    if (!this.capabilities.objectMetadata) {
      throw new ValidationError(
        `put of ${JSON.stringify(key)}: ${this.description} does not store contentType or metadata`,
        {
          details: { key },
        },
      );
    }
    if (contentType !== undefined) {
      if (typeof contentType !== 'string')
        throw new ValidationError(`put of ${JSON.stringify(key)}: contentType must be a string`);
      checked.contentType = contentType;
    }
    if (metadata !== undefined) checked.metadata = checkedMetadata(key, metadata);
    return checked;
  }

  /** Runs an adapter call, its errors made typed (no async frame of its own: every call passes here). */
  private call<T>(operation: string, key: string, action: () => Promise<T>): Promise<T> {
    const fail = (error: unknown): never => {
      throw typedError(error, this.description, operation, key);
    };
    try {
      return Promise.resolve(action()).catch(fail);
    } catch (error) {
      return Promise.reject(typedError(error, this.description, operation, key));
    }
  }

  private assertOpen(): void {
    if (this.closing !== undefined) throw new ClosedError(`the backend ${this.description} is closed`);
  }
}

/** User metadata as S3 stores it: a flat object of string values under lower-case ASCII names. */
function copyOptions(target: string, options: CopyOptions): AdapterCopyOptions {
  if (options === null || typeof options !== 'object')
    throw new ValidationError(`copy to ${JSON.stringify(target)}: options must be an object`);
  const checked: AdapterCopyOptions = { mode: checkedPutMode(options.mode, target) };
  const { ifSourceMatch, deferDurability } = options;
  if (ifSourceMatch !== undefined) {
    if (typeof ifSourceMatch !== 'string' || ifSourceMatch === '')
      throw new ValidationError(
        `copy to ${JSON.stringify(target)}: ifSourceMatch must be a non-empty etag string`,
      );
    checked.ifSourceMatch = ifSourceMatch;
  }
  if (deferDurability !== undefined) {
    if (typeof deferDurability !== 'boolean')
      throw new ValidationError(`copy to ${JSON.stringify(target)}: deferDurability must be a boolean`);
    if (deferDurability) checked.deferDurability = true;
  }
  return checked;
}

function checkedMetadata(key: string, metadata: unknown): Record<string, string> {
  if (metadata === null || typeof metadata !== 'object' || Array.isArray(metadata)) {
    throw new ValidationError(`put of ${JSON.stringify(key)}: metadata must be an object of strings`, {
      details: { key },
    });
  }
  const copy: Record<string, string> = {};
  for (const [name, value] of Object.entries(metadata)) {
    if (typeof value !== 'string') {
      throw new ValidationError(
        `put of ${JSON.stringify(key)}: metadata ${JSON.stringify(name)} is not a string`,
        {
          details: { key },
        },
      );
    }
    copy[name] = value;
  }
  return copy;
}
