import { describe, it } from 'vitest';
import type { BackendCapabilities } from '../backend/types.js';
import { lakeChecks } from './lake-checks/index.js';
import { runCheck } from './run-check.js';
import { storageChecks } from './storage-checks/index.js';
import type { ContractCheck, ContractSuiteOptions } from './types.js';

const DEFAULT_TIMEOUT_MS = 60_000;

/** Every check of both layers, in the order the suite runs them. */
export const contractChecks: readonly ContractCheck[] = [...storageChecks, ...lakeChecks];

/**
 * The checks that apply to a backend with these capabilities. With an `openLake` of its own, the
 * checks that need the lake in this process (crash injection) are left out.
 */
export function applicableChecks(
  capabilities: BackendCapabilities,
  options: ContractSuiteOptions,
  checks: readonly ContractCheck[] = contractChecks,
): ContractCheck[] {
  return checks.filter(
    (check) =>
      (check.appliesTo?.(capabilities, options) ?? true) &&
      !(check.needsLocalLake && options.openLake !== undefined),
  );
}

/**
 * Registers the contract suite with vitest: the `StorageBackend` semantics, then the whole
 * `DataLake` behaviour on top of the backend. Call it at the top level of a test file.
 * Checks gated by a capability the backend does not declare are not registered at all.
 */
export function runContractSuite(options: ContractSuiteOptions): void {
  registerChecks(`${options.name}: datalake contract`, options, contractChecks);
}

/**
 * Registers only the lake-level checks, each on a lake opened by `options.openLake`: for whatever
 * stands between a program and the lake (a server and its client), over a backend whose own
 * storage-level checks run elsewhere. The crash checks, which wrap the backend under a lake in this
 * process, stay with `runContractSuite`.
 */
export function runLakeContractSuite(
  options: ContractSuiteOptions & Required<Pick<ContractSuiteOptions, 'openLake'>>,
): void {
  registerChecks(`${options.name}: lake contract`, options, lakeChecks);
}

function registerChecks(
  title: string,
  options: ContractSuiteOptions,
  checks: readonly ContractCheck[],
): void {
  describe(title, async () => {
    const capabilities = await probeCapabilities(options);
    const timeout = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const byGroup = new Map<string, ContractCheck[]>();
    for (const check of applicableChecks(capabilities, options, checks)) {
      byGroup.set(check.group, [...(byGroup.get(check.group) ?? []), check]);
    }
    for (const [group, groupChecks] of byGroup) {
      describe(group, () => {
        for (const check of groupChecks)
          it(check.name, () => runCheck(check, options), timeout * (check.timeoutFactor ?? 1));
      });
    }
  });
}

async function probeCapabilities(options: ContractSuiteOptions): Promise<BackendCapabilities> {
  const probe = await options.create();
  const capabilities = { ...probe.capabilities };
  if (options.destroy) await options.destroy(probe);
  else await probe.close?.();
  return capabilities;
}
