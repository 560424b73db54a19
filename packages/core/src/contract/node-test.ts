/**
 * The contract suite as `node:test` tests, for adapters tested without vitest:
 *
 * ```ts
 * import { runContractSuite } from '@datalake/core/contract/node-test';
 * runContractSuite({ name: 'my-store', create: () => new MyAdapter() });
 * ```
 */
import { describe, it } from 'node:test';
import { lakeChecks } from './lake-checks/index.js';
import { byGroup, contractChecks, planContract } from './plan.js';
import type { ContractCheck, ContractSuiteOptions } from './types.js';

/** Registers the whole contract suite (storage, then lake) with `node:test`. */
export function runContractSuite(options: ContractSuiteOptions): void {
  register(`${options.name}: datalake contract`, options, contractChecks);
}

/** Registers only the lake-level checks on lakes opened by `options.openLake`. */
export function runLakeContractSuite(
  options: ContractSuiteOptions & Required<Pick<ContractSuiteOptions, 'openLake'>>,
): void {
  register(`${options.name}: lake contract`, options, lakeChecks);
}

function register(title: string, options: ContractSuiteOptions, checks: readonly ContractCheck[]): void {
  describe(title, async () => {
    for (const [group, groupChecks] of byGroup(await planContract(options, checks))) {
      describe(group, () => {
        for (const check of groupChecks) {
          it(check.name, { timeout: check.timeoutMs }, async (context) => {
            if ((await check.run()) === 'skipped') context.skip();
          });
        }
      });
    }
  });
}
