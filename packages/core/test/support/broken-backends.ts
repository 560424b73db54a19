import { setImmediate as nextTurn } from 'node:timers/promises';
import {
  type BodyInput,
  collectBody,
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
} from '../../src/index.js';
import { MapBackend } from './map-backend.js';

/** Forwards everything to a correct backend; each broken backend overrides one behaviour. */
class Forwarding implements StorageBackend {
  readonly description: string = 'broken';
  readonly capabilities: StorageBackend['capabilities'];
  constructor(protected readonly inner: StorageBackend = new MapBackend()) {
    this.capabilities = inner.capabilities;
  }

  put(key: string, body: BodyInput, options?: PutOptions): Promise<PutResult> {
    return this.inner.put(key, body, options);
  }
  get(key: string, options?: GetOptions): Promise<GetResult | null> {
    return this.inner.get(key, options);
  }
  head(key: string): Promise<ObjectInfo | null> {
    return this.inner.head(key);
  }
  delete(key: string, options?: DeleteOptions): Promise<boolean> {
    return this.inner.delete(key, options);
  }
  list(prefix: string, options?: ListOptions): Promise<ListPage> {
    return this.inner.list(prefix, options);
  }
}

export class IgnoresIfNoneMatch extends Forwarding {
  override put(key: string, body: BodyInput, options: PutOptions = {}): Promise<PutResult> {
    const { ifNoneMatch: _ignored, ...rest } = options;
    return this.inner.put(key, body, rest);
  }
}

export class IgnoresCursor extends Forwarding {
  override list(prefix: string, options: ListOptions = {}): Promise<ListPage> {
    const { cursor: _ignored, ...rest } = options;
    return this.inner.list(prefix, rest);
  }
}

/** Loses the last byte of every body over 1 MiB, as an off-by-one in a chunked upload would. */
export class DropsLastByteOfLargeBodies extends Forwarding {
  override async put(key: string, body: BodyInput, options?: PutOptions): Promise<PutResult> {
    const bytes = await collectBody(body);
    return this.inner.put(key, bytes.byteLength > 1024 * 1024 ? bytes.subarray(0, -1) : bytes, options);
  }
}

/** Returns each page's objects in insertion-independent but wrong (reversed) order. */
export class ListsUnsorted extends Forwarding {
  override async list(prefix: string, options?: ListOptions): Promise<ListPage> {
    const page = await this.inner.list(prefix, options);
    return { ...page, objects: [...page.objects].reverse() };
  }
}

/** Percent-decodes keys before storing them, so `a%20b` and `a b` become one object. */
export class DecodesPercentKeys extends Forwarding {
  override put(key: string, body: BodyInput, options?: PutOptions): Promise<PutResult> {
    return this.inner.put(decode(key), body, options);
  }
  override get(key: string, options?: GetOptions): Promise<GetResult | null> {
    return this.inner.get(decode(key), options);
  }
  override head(key: string): Promise<ObjectInfo | null> {
    return this.inner.head(decode(key));
  }
  override delete(key: string, options?: DeleteOptions): Promise<boolean> {
    return this.inner.delete(decode(key), options);
  }
}

function decode(key: string): string {
  return key.replace(/%([0-9A-Fa-f]{2})/g, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
}

/** Checks "does it exist?" and then writes, with an await in between: two racers can both win. */
export class NonAtomicConditionalCreate extends Forwarding {
  override async put(key: string, body: BodyInput, options: PutOptions = {}): Promise<PutResult> {
    const { ifNoneMatch, ...rest } = options;
    if (ifNoneMatch === '*') {
      if (await this.inner.head(key)) throw new PreconditionFailedError(`${key} exists`);
      await nextTurn();
    }
    return this.inner.put(key, body, rest);
  }
}

/** Compare-and-swap with the same gap between the check and the write. */
export class NonAtomicCompareAndSwap extends Forwarding {
  override async put(key: string, body: BodyInput, options: PutOptions = {}): Promise<PutResult> {
    const { ifMatch, ...rest } = options;
    if (ifMatch !== undefined) {
      if ((await this.inner.head(key))?.etag !== ifMatch) throw new PreconditionFailedError(`${key} changed`);
      await nextTurn();
    }
    return this.inner.put(key, body, rest);
  }
}

/** Treats a range's `end` as exclusive. */
export class ExclusiveRangeEnd extends Forwarding {
  override get(key: string, options: GetOptions = {}): Promise<GetResult | null> {
    const range = options.range;
    if (range?.end === undefined || range.end === range.start) return this.inner.get(key, options);
    return this.inner.get(key, { range: { start: range.start, end: range.end - 1 } });
  }
}

/** Keeps a reference to the caller's buffer instead of a copy. */
export class KeepsCallerBuffer extends Forwarding {
  readonly #buffers = new Map<string, Uint8Array>();
  override async put(key: string, body: BodyInput, options?: PutOptions): Promise<PutResult> {
    const result = await this.inner.put(key, body, options);
    if (body instanceof Uint8Array) this.#buffers.set(key, body);
    else this.#buffers.delete(key);
    return result;
  }
  override async get(key: string, options?: GetOptions): Promise<GetResult | null> {
    const result = await this.inner.get(key, options);
    const buffer = this.#buffers.get(key);
    if (!result || !buffer || options?.range) return result;
    return {
      ...result,
      body: (async function* () {
        yield buffer;
      })(),
    };
  }
}

/** Stores whatever arrived before a body stream failed. */
export class KeepsPartialUploads extends Forwarding {
  override async put(key: string, body: BodyInput, options?: PutOptions): Promise<PutResult> {
    if (body instanceof Uint8Array) return this.inner.put(key, body, options);
    const received: Uint8Array[] = [];
    try {
      for await (const chunk of body) received.push(chunk);
    } catch (error) {
      await this.inner.put(key, Buffer.concat(received), options);
      throw error;
    }
    return this.inner.put(key, Buffer.concat(received), options);
  }
}

/** Answers `true` for every delete, existing or not. */
export class DeleteAlwaysTrue extends Forwarding {
  override async delete(key: string, options?: DeleteOptions): Promise<boolean> {
    await this.inner.delete(key, options);
    return true;
  }
}

/** Skips key validation for put, so `../x` and friends are stored. */
export class AcceptsAnyKey extends Forwarding {
  readonly #unchecked = new Map<string, Uint8Array>();
  override async put(key: string, body: BodyInput, options?: PutOptions): Promise<PutResult> {
    try {
      return await this.inner.put(key, body, options);
    } catch {
      const bytes = await collectBody(body);
      this.#unchecked.set(key, bytes);
      return { etag: '"unchecked"', size: bytes.byteLength };
    }
  }
}

/** Claims atomic conditional writes and persistence, but forgets everything between instances. */
export class ForgetfulPersistent extends Forwarding {
  override readonly capabilities = { ...this.inner.capabilities, persistent: true };
}

/**
 * Shares its store with other instances but caches what it read forever, so it serves stale
 * objects after another instance writes. `reopen` gives a new instance over the same store.
 */
export class CachesReads extends Forwarding {
  override readonly capabilities = {
    ...this.inner.capabilities,
    persistent: true,
    sharedAcrossProcesses: true,
  };
  readonly #bodies = new Map<string, { result: GetResult; bytes: Uint8Array }>();

  reopen(): CachesReads {
    return new CachesReads(this.inner);
  }

  override async get(key: string, options?: GetOptions): Promise<GetResult | null> {
    if (options?.range) return this.inner.get(key, options);
    const cached = this.#bodies.get(key);
    if (cached) return { ...cached.result, body: once(cached.bytes) };
    const result = await this.inner.get(key);
    if (!result) return null;
    const bytes = await collectBody(result.body);
    this.#bodies.set(key, { result, bytes });
    return { ...result, body: once(bytes) };
  }

  override async head(key: string): Promise<ObjectInfo | null> {
    const cached = this.#bodies.get(key);
    return cached ? { ...cached.result } : this.inner.head(key);
  }
}

async function* once(bytes: Uint8Array): AsyncIterable<Uint8Array> {
  yield bytes;
}
