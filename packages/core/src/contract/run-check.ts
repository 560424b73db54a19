import type { StorageBackend } from '../backend/types.js';
import { openLocalLake } from './lake-checks/open-lake.js';
import type { CheckContext, ContractCheck, ContractSuiteOptions } from './types.js';

/**
 * Runs one check on a fresh backend from `options.create`, then closes every re-opened instance
 * and disposes of the backend, whether the check passed or not. Rejects when the check fails.
 */
export async function runCheck(check: ContractCheck, options: ContractSuiteOptions): Promise<void> {
  const backend = await options.create();
  const reopened: StorageBackend[] = [];
  const context: CheckContext = {
    backend,
    separateInstances: options.reopen !== undefined,
    async reopen() {
      if (!options.reopen) return backend;
      const instance = await options.reopen(backend);
      reopened.push(instance);
      return instance;
    },
    openLake: (target, lakeOptions = {}) => (options.openLake ?? openLocalLake)(target, lakeOptions),
  };
  try {
    await check.run(context);
  } finally {
    await disposeAll(backend, reopened, options);
  }
}

async function disposeAll(
  backend: StorageBackend,
  reopened: StorageBackend[],
  options: ContractSuiteOptions,
): Promise<void> {
  for (const instance of reopened) {
    if (instance !== backend) await instance.close?.();
  }
  if (options.destroy) await options.destroy(backend);
  else await backend.close?.();
}
