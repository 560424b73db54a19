import type {
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
import { ClosedError, UnsafeBackendError } from '@datalake/model';
import { StorageFront } from '../backend/front.js';

export interface BackendUseOptions {
  /** Open a backend shared across processes without atomic conditional writes anyway. */
  acceptNonAtomicWrites?: boolean;
  /** The lake does not close the backend. */
  keepBackendOpen?: boolean;
}

const users = new WeakMap<StorageFront, number>();

/**
 * The backend a lake works with: the checking front of what it was given, after refusing an unsafe
 * one. A lake that closes its backend gets its own use of it: the backend closes when its last
 * such lake closes, so closing one lake never pulls the backend from under another.
 */
export function useBackend(given: StorageAdapter, options: BackendUseOptions): StorageBackend {
  const front = StorageFront.of(given);
  assertSafeToShare(front.description, front.capabilities, options.acceptNonAtomicWrites ?? false);
  if (options.keepBackendOpen) return front;
  if (front.closed) throw new ClosedError(`the backend ${front.description} is closed`);
  users.set(front, (users.get(front) ?? 0) + 1);
  return new BackendUse(front);
}

function assertSafeToShare(description: string, capabilities: BackendCapabilities, accepted: boolean): void {
  if (accepted || !capabilities.sharedAcrossProcesses || capabilities.atomicConditionalWrites) return;
  throw new UnsafeBackendError(
    `${description} can be shared by several processes, but its conditional writes are not atomic: ` +
      'two writers could both win a race and lose an update. Use a backend with atomic conditional ' +
      'writes, or pass acceptNonAtomicWrites: true if only one process ever writes to it.',
    { details: { backend: description, capabilities: { ...capabilities } } },
  );
}

/** One lake's use of a shared front: closing it releases the use, the last release closes the front. */
class BackendUse implements StorageBackend {
  #released = false;
  constructor(readonly front: StorageFront) {}

  get description(): string {
    return this.front.description;
  }
  get capabilities(): BackendCapabilities {
    return this.front.capabilities;
  }
  async put(key: string, body: BodyInput, options?: PutOptions): Promise<PutResult> {
    return this.#open().put(key, body, options);
  }
  async get(key: string, options?: GetOptions): Promise<GetResult | null> {
    return this.#open().get(key, options);
  }
  async head(key: string): Promise<ObjectInfo | null> {
    return this.#open().head(key);
  }
  async delete(key: string, options?: DeleteOptions): Promise<boolean> {
    return this.#open().delete(key, options);
  }
  async list(prefix: string, options?: ListOptions): Promise<ListPage> {
    return this.#open().list(prefix, options);
  }
  async copy(source: string, target: string, options?: CopyOptions): Promise<PutResult | null> {
    return this.#open().copy(source, target, options);
  }
  async close(): Promise<void> {
    if (this.#released) return;
    this.#released = true;
    const left = (users.get(this.front) ?? 1) - 1;
    users.set(this.front, left);
    if (left === 0) await this.front.close();
  }

  #open(): StorageFront {
    if (this.#released) throw new ClosedError(`this lake's use of ${this.front.description} is closed`);
    return this.front;
  }
}
