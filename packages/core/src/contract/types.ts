import type { BackendCapabilities, StorageAdapter, StorageBackend } from '@datalake/model';
import type { DataLakeOptions } from '../lake/data-lake.js';
import type { Lake } from '../lake/lake.js';

/** The `DataLake.open` options the lake-level checks ask for. */
export type LakeOpenOptions = Pick<DataLakeOptions, 'search' | 'writeLeaseMs'>;

/**
 * Opens a `Lake` over a backend for a lake-level check: one instance, as one process would open it.
 * The default opens a `DataLake` in this process; another opener may put anything in between (a
 * server in front of the lake and a client talking to it) as long as the result behaves as a lake.
 * Closing the returned lake must leave `backend` open (the check context owns it).
 */
export type LakeOpener = (backend: StorageBackend, options: LakeOpenOptions) => Promise<Lake>;

/**
 * How the multi-process checks reach the storage from other processes: a module that each worker
 * imports, whose `export` (default `createAdapter`) is called with `options` and returns an adapter
 * over the same storage as the backend under test. `options` must survive `structuredClone`.
 */
export interface WorkerFactory {
  /** Absolute path or `file:` URL of the module. */
  module: string | URL;
  /** The factory's export name. Default `'createAdapter'`. */
  export?: string;
  /** Extra Node.js flags for the worker threads, e.g. `['--import', 'tsx']` for a TypeScript module. */
  execArgv?: string[];
}

/** What a worker factory receives: the suite's `workerOptions(adapter)` for the backend under test. */
export type WorkerFactoryOptions = Record<string, unknown>;

/** How `runContractSuite` obtains, re-opens and disposes of the backend under test. */
export interface ContractSuiteOptions {
  /** Shown in the test titles, e.g. `'disk'`. */
  name: string;
  /** Returns a fresh, empty, isolated adapter (or backend). Called once per check. */
  create: () => Promise<StorageAdapter> | StorageAdapter;
  /** Disposes of an adapter returned by `create` (remove its folder, bucket prefix...). Default: `close()`. */
  destroy?: (adapter: StorageAdapter) => Promise<void> | void;
  /**
   * Returns a NEW adapter instance over the same storage as `adapter`, as another process would
   * open it. Required when the backend claims `persistent`. Without it the same instance is reused.
   */
  reopen?: (adapter: StorageAdapter) => Promise<StorageAdapter> | StorageAdapter;
  /**
   * For backends that declare `sharedAcrossProcesses`: the module the multi-process checks load in
   * worker processes. Without it those checks fail, asking for it. `false` leaves them out: only for
   * a run over storage that is not really shared (an in-memory file system) while another run of the
   * same adapter over the real storage has them.
   */
  workers?: WorkerFactory | false;
  /** The options handed to the worker factory to reach the storage of `adapter` (a folder, a bucket...). */
  workerOptions?: (adapter: StorageAdapter) => WorkerFactoryOptions;
  /** Per-check timeout in milliseconds (default 60 000). */
  timeoutMs?: number;
  /** How the lake-level checks open a lake over the backend. Default: `DataLake.open` in this process. */
  openLake?: LakeOpener;
}

/** What one check receives: a fresh backend and a way to reach the same storage again. */
export interface CheckContext {
  /** A fresh, empty backend (the checking front over the adapter), disposed of after the check. */
  readonly backend: StorageBackend;
  /** The suite's options (for the checks that start workers). */
  readonly options: ContractSuiteOptions;
  /** The adapter under `backend`, as `create` returned it. */
  readonly adapter: StorageAdapter;
  /** True when `reopen` returns distinct instances (the suite was given a `reopen` option). */
  readonly separateInstances: boolean;
  /** Another instance over the same storage (the same instance when `separateInstances` is false). */
  reopen(): Promise<StorageBackend>;
  /** Opens a lake over `backend` (the suite's `openLake`, by default `DataLake.open`). */
  openLake(backend: StorageBackend, options?: LakeOpenOptions): Promise<Lake>;
}

/** One named behaviour of the contract, runnable on its own. */
export interface ContractCheck {
  /** The layer and topic, used as the `describe` title, e.g. `'objects'`. */
  readonly group: string;
  /** What must hold, used as the test title. Unique within its group. */
  readonly name: string;
  /** Whether the check applies to a backend with these capabilities (default: always). */
  readonly appliesTo?: (capabilities: BackendCapabilities, options: ContractSuiteOptions) => boolean;
  /**
   * The check needs the lake in this process, over a backend it wraps (crash injection): it runs
   * only with the default opener.
   */
  readonly needsLocalLake?: boolean;
  /**
   * The check repeats an operation once per write it makes (crash injection): it may take this
   * many times the suite's per-check timeout, as slow shared servers stretch every repetition.
   */
  readonly timeoutFactor?: number;
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
