import type { StorageAdapter, StorageBackend } from '@datalake/model';
import { StorageFront } from '../backend/front.js';
import { openLocalLake } from './lake-checks/open-lake.js';
import type { CheckContext, ContractCheck, ContractSuiteOptions } from './types.js';

/**
 * Runs one check on a fresh adapter from `options.create`, seen through core's checking front, then
 * closes every re-opened instance and disposes of the adapter, whether the check passed or not.
 * Rejects when the check fails.
 */
export async function runCheck(check: ContractCheck, options: ContractSuiteOptions): Promise<void> {
  const adapter = await options.create();
  const backend = StorageFront.of(adapter);
  const reopened: StorageBackend[] = [];
  const context: CheckContext = {
    backend,
    adapter,
    options,
    separateInstances: options.reopen !== undefined,
    async reopen() {
      if (!options.reopen) return backend;
      const instance = StorageFront.of(await options.reopen(adapter));
      reopened.push(instance);
      return instance;
    },
    openLake: (target, lakeOptions = {}) => (options.openLake ?? openLocalLake)(target, lakeOptions),
  };
  try {
    await check.run(context);
  } finally {
    await disposeAll(adapter, backend, reopened, options);
  }
}

async function disposeAll(
  adapter: StorageAdapter,
  backend: StorageBackend,
  reopened: StorageBackend[],
  options: ContractSuiteOptions,
): Promise<void> {
  for (const instance of reopened) await instance.close?.();
  if (options.destroy) await options.destroy(adapter);
  else await backend.close?.();
}
