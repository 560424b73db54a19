import type {
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
  StorageBackend,
} from '@datalake/model';
import { BackendError } from '@datalake/model';

/** Whether the mutating call that crashes takes effect first (the reply was lost) or not at all. */
export type CrashMode = 'before-write' | 'after-write';

/**
 * Wraps a backend to simulate a process dying during an operation: once armed, the k-th
 * mutating call (`put`, `copy` or `delete`) fails, and so does every call after it, as nothing more
 * happens in a dead process. Unarmed, it counts mutating calls.
 */
export class CrashingBackend implements StorageBackend {
  readonly description: string;
  readonly capabilities: StorageBackend['capabilities'];
  /** Mutating calls made since the last `arm` (or since creation). */
  mutations = 0;
  #crashAt: number | undefined;
  #mode: CrashMode = 'before-write';
  #crashed = false;

  constructor(private readonly inner: StorageBackend) {
    this.description = `crashing(${inner.description})`;
    this.capabilities = inner.capabilities;
  }

  get crashed(): boolean {
    return this.#crashed;
  }

  /** Crash at the `k`-th mutating call from now (1-based); `undefined` only counts. */
  arm(k: number | undefined, mode: CrashMode = 'before-write'): void {
    this.mutations = 0;
    this.#crashAt = k;
    this.#mode = mode;
  }

  async put(key: string, body: BodyInput, options?: PutOptions): Promise<PutResult> {
    return this.#mutate(() => this.inner.put(key, body, options));
  }

  async delete(key: string, options?: DeleteOptions): Promise<boolean> {
    return this.#mutate(() => this.inner.delete(key, options));
  }

  async copy(source: string, target: string, options?: CopyOptions): Promise<PutResult | null> {
    const inner = this.inner;
    if (!inner.copy) throw new BackendError(`${inner.description} has no copy()`);
    return this.#mutate(() =>
      (inner.copy as NonNullable<StorageBackend['copy']>).call(inner, source, target, options),
    );
  }

  async get(key: string, options?: GetOptions): Promise<GetResult | null> {
    this.#assertAlive();
    return this.inner.get(key, options);
  }

  async head(key: string): Promise<ObjectInfo | null> {
    this.#assertAlive();
    return this.inner.head(key);
  }

  async list(prefix: string, options?: ListOptions): Promise<ListPage> {
    this.#assertAlive();
    return this.inner.list(prefix, options);
  }

  async #mutate<T>(call: () => Promise<T>): Promise<T> {
    this.#assertAlive();
    this.mutations += 1;
    if (this.mutations !== this.#crashAt) return call();
    this.#crashed = true;
    if (this.#mode === 'after-write') await call().catch(() => undefined);
    throw new BackendError(`simulated crash at mutating call ${this.mutations} (${this.#mode})`);
  }

  #assertAlive(): void {
    if (this.#crashed) throw new BackendError('simulated crash: the process is gone');
  }
}
