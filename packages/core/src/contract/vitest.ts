/**
 * The contract suite as vitest tests. Call it at the top level of a test file:
 *
 * ```ts
 * import { runContractSuite } from '@datalake/core/contract/vitest';
 * runContractSuite({ name: 'my-store', create: () => new MyAdapter() });
 * ```
 */
import { describe, it } from 'vitest';
import { lakeChecks } from './lake-checks/index.js';
import { byGroup, contractChecks, planContract } from './plan.js';
import type { ContractCheck, ContractSuiteOptions } from './types.js';

/**
 * Registers the contract suite: the storage semantics, then the whole `DataLake` behaviour on top
 * of the backend. Checks gated by a capability the backend does not declare are not registered.
 */
export function runContractSuite(options: ContractSuiteOptions): void {
  register(`${options.name}: datalake contract`, options, contractChecks);
}

/**
 * Registers only the lake-level checks, each on a lake opened by `options.openLake`: for whatever
 * stands between a program and the lake (a server and its client), over a backend whose own
 * storage-level checks run elsewhere.
 */
export function runLakeContractSuite(
  options: ContractSuiteOptions & Required<Pick<ContractSuiteOptions, 'openLake'>>,
): void {
  register(`${options.name}: lake contract`, options, lakeChecks);
}

function register(title: string, options: ContractSuiteOptions, checks: readonly ContractCheck[]): void {
  describe(title, async () => {
    for (const [group, planned] of byGroup(await planContract(options, checks))) {
      describe(group, () => {
        for (const check of planned) {
          it(
            check.name,
            async (context) => {
              if ((await check.run()) === 'skipped') context.skip();
            },
            check.timeoutMs,
          );
        }
      });
    }
  });
}
