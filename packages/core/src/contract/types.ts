import type { BackendCapabilities, StorageBackend } from '../backend/types.js';

/** How `runContractSuite` obtains, re-opens and disposes of the backend under test. */
export interface ContractSuiteOptions {
  /** Shown in the test titles, e.g. `'disk'`. */
  name: string;
  /** Returns a fresh, empty, isolated backend. Called once per check. */
  create: () => Promise<StorageBackend> | StorageBackend;
  /** Disposes of a backend returned by `create` (remove its folder, bucket prefix...). Default: `close()`. */
  destroy?: (backend: StorageBackend) => Promise<void> | void;
  /**
   * Returns a NEW backend instance over the same storage as `backend`, as another process would
   * open it. Required when the backend claims `persistent`. Without it the same instance is reused.
   */
  reopen?: (backend: StorageBackend) => Promise<StorageBackend> | StorageBackend;
  /** Per-check timeout in milliseconds (default 60 000). */
  timeoutMs?: number;
}

/** What one check receives: a fresh backend and a way to reach the same storage again. */
export interface CheckContext {
  /** A fresh, empty backend, disposed of after the check. */
  readonly backend: StorageBackend;
  /** True when `reopen` returns distinct instances (the suite was given a `reopen` option). */
  readonly separateInstances: boolean;
  /** Another instance over the same storage (the same instance when `separateInstances` is false). */
  reopen(): Promise<StorageBackend>;
}

/** One named behaviour of the contract, runnable on its own. */
export interface ContractCheck {
  /** The layer and topic, used as the `describe` title, e.g. `'objects'`. */
  readonly group: string;
  /** What must hold, used as the test title. Unique within its group. */
  readonly name: string;
  /** Whether the check applies to a backend with these capabilities (default: always). */
  readonly appliesTo?: (capabilities: BackendCapabilities, options: ContractSuiteOptions) => boolean;
  readonly run: (context: CheckContext) => Promise<void>;
}

export function defineCheck(
  group: string,
  name: string,
  run: ContractCheck['run'],
  appliesTo?: ContractCheck['appliesTo'],
): ContractCheck {
  return appliesTo ? { group, name, run, appliesTo } : { group, name, run };
}
