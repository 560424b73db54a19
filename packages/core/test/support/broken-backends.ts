import { setImmediate as nextTurn } from 'node:timers/promises';
import {
  type AdapterListOptions,
  type AdapterListPage,
  type AdapterPutOptions,
  type BodyInput,
  collectBody,
  type DeleteOptions,
  type GetOptions,
  type GetResult,
  type ObjectInfo,
  PreconditionFailedError,
  PutMode,
  type PutResult,
  type StorageAdapter,
} from '../../src/index.js';
import { MapAdapter } from './map-adapter.js';

/** Forwards everything to a correct adapter; each broken adapter overrides one behaviour. */
class Forwarding implements StorageAdapter {
  readonly description: string = 'broken';
  readonly capabilities: StorageAdapter['capabilities'];
  constructor(protected readonly inner: StorageAdapter = new MapAdapter()) {
    this.capabilities = inner.capabilities;
  }

  put(key: string, body: BodyInput, options: AdapterPutOptions): Promise<PutResult> {
    return this.inner.put(key, body, options);
  }
  get(key: string, options: GetOptions): Promise<GetResult | null> {
    return this.inner.get(key, options);
  }
  delete(key: string, options: DeleteOptions): Promise<boolean> {
    return this.inner.delete(key, options);
  }
  list(prefix: string, options: AdapterListOptions): Promise<AdapterListPage> {
    return this.inner.list(prefix, options);
  }
}

/** Reads the whole current object (the Map adapter has no `head`). */
async function current(inner: StorageAdapter, key: string): Promise<ObjectInfo | null> {
  const result = await inner.get(key, {});
  if (!result) return null;
  const { body, ...info } = result;
  await collectBody(body);
  return info;
}

export class IgnoresCreateMode extends Forwarding {
  override put(key: string, body: BodyInput, options: AdapterPutOptions): Promise<PutResult> {
    const mode = options.mode.kind === 'create' ? PutMode.overwrite : options.mode;
    return this.inner.put(key, body, { ...options, mode });
  }
}

export class IgnoresCursor extends Forwarding {
  override list(prefix: string, options: AdapterListOptions): Promise<AdapterListPage> {
    const { cursor: _cursor, after: _after, ...rest } = options;
    return this.inner.list(prefix, rest);
  }
}

/** Loses the last byte of every body over 1 MiB, as an off-by-one in a chunked upload would. */
export class DropsLastByteOfLargeBodies extends Forwarding {
  override async put(key: string, body: BodyInput, options: AdapterPutOptions): Promise<PutResult> {
    const bytes = await collectBody(body);
    return this.inner.put(key, bytes.byteLength > 1024 * 1024 ? bytes.subarray(0, -1) : bytes, options);
  }
}

/** Returns each page's objects in insertion-independent but wrong (reversed) order. */
export class ListsUnsorted extends Forwarding {
  override async list(prefix: string, options: AdapterListOptions): Promise<AdapterListPage> {
    const page = await this.inner.list(prefix, options);
    return { ...page, objects: [...page.objects].reverse() };
  }
}

/** Percent-decodes keys before storing them, so `a%20b` and `a b` become one object. */
export class DecodesPercentKeys extends Forwarding {
  override put(key: string, body: BodyInput, options: AdapterPutOptions): Promise<PutResult> {
    return this.inner.put(decode(key), body, options);
  }
  override get(key: string, options: GetOptions): Promise<GetResult | null> {
    return this.inner.get(decode(key), options);
  }
  override delete(key: string, options: DeleteOptions): Promise<boolean> {
    return this.inner.delete(decode(key), options);
  }
}

function decode(key: string): string {
  return key.replace(/%([0-9A-Fa-f]{2})/g, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
}

/** Checks "does it exist?" and then writes, with an await in between: two racers can both win. */
export class NonAtomicConditionalCreate extends Forwarding {
  override async put(key: string, body: BodyInput, options: AdapterPutOptions): Promise<PutResult> {
    if (options.mode.kind === 'create') {
      if (await current(this.inner, key)) throw new PreconditionFailedError(`${key} exists`);
      await nextTurn();
    }
    return this.inner.put(key, body, { ...options, mode: PutMode.overwrite });
  }
}

/** Compare-and-swap with the same gap between the check and the write. */
export class NonAtomicCompareAndSwap extends Forwarding {
  override async put(key: string, body: BodyInput, options: AdapterPutOptions): Promise<PutResult> {
    const { mode } = options;
    if (mode.kind === 'replace') {
      if ((await current(this.inner, key))?.etag !== mode.etag)
        throw new PreconditionFailedError(`${key} changed`);
      await nextTurn();
      return this.inner.put(key, body, { ...options, mode: PutMode.overwrite });
    }
    return this.inner.put(key, body, options);
  }
}

/** Treats a range's `end` as exclusive. */
export class ExclusiveRangeEnd extends Forwarding {
  override get(key: string, options: GetOptions): Promise<GetResult | null> {
    const range = options.range;
    if (range?.end === undefined || range.end === range.start) return this.inner.get(key, options);
    return this.inner.get(key, { range: { start: range.start, end: range.end - 1 } });
  }
}

/** Keeps a reference to the caller's buffer instead of a copy. */
export class KeepsCallerBuffer extends Forwarding {
  readonly #buffers = new Map<string, Uint8Array>();
  override async put(key: string, body: BodyInput, options: AdapterPutOptions): Promise<PutResult> {
    const result = await this.inner.put(key, body, options);
    if (body instanceof Uint8Array) this.#buffers.set(key, body);
    else this.#buffers.delete(key);
    return result;
  }
  override async get(key: string, options: GetOptions): Promise<GetResult | null> {
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
  override async put(key: string, body: BodyInput, options: AdapterPutOptions): Promise<PutResult> {
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
  override async delete(key: string, options: DeleteOptions): Promise<boolean> {
    await this.inner.delete(key, options);
    return true;
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

  override async get(key: string, options: GetOptions): Promise<GetResult | null> {
    if (options?.range) return this.inner.get(key, options);
    const cached = this.#bodies.get(key);
    if (cached) return { ...cached.result, body: once(cached.bytes) };
    const result = await this.inner.get(key, {});
    if (!result) return null;
    const bytes = await collectBody(result.body);
    this.#bodies.set(key, { result, bytes });
    return { ...result, body: once(bytes) };
  }

  async head(key: string): Promise<ObjectInfo | null> {
    const cached = this.#bodies.get(key);
    return cached ? { ...cached.result } : current(this.inner, key);
  }
}

async function* once(bytes: Uint8Array): AsyncIterable<Uint8Array> {
  yield bytes;
}
