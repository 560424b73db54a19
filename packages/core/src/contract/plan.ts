import type { BackendCapabilities } from '@datalake/model';
import { StorageFront } from '../backend/front.js';
import { lakeChecks } from './lake-checks/index.js';
import { runCheck } from './run-check.js';
import { storageChecks } from './storage-checks/index.js';
import type { ContractCheck, ContractSuiteOptions } from './types.js';

export const DEFAULT_TIMEOUT_MS = 60_000;

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

/** One check ready to run, as a test runner registers it. */
export interface PlannedCheck {
  readonly group: string;
  readonly name: string;
  readonly layer: 'storage' | 'lake';
  readonly timeoutMs: number;
  /** Runs the check: `'skipped'` when an earlier failure stopped it (the runner marks it skipped). */
  run(): Promise<'passed' | 'skipped'>;
}

/** A lake-level check refused to run because storage-level checks had failed. */
export class ContractStoppedError extends Error {
  constructor(failed: readonly string[]) {
    super(
      `lake-level checks stopped: ${failed.length} storage-level check(s) failed (${failed
        .map((name) => JSON.stringify(name))
        .join(', ')}). The lake relies on exactly those semantics, so its checks would fail for the ` +
        'same cause with less useful messages. Fix the storage-level failures first.',
    );
    this.name = 'ContractStoppedError';
  }
}

/**
 * Plans the suite for a backend: probes its capabilities on one adapter from `create`, keeps the
 * checks that apply, and ties them together so that once a storage-level check has failed, the
 * first lake-level check fails with one clear message and the others are skipped.
 */
export async function planContract(
  options: ContractSuiteOptions,
  checks: readonly ContractCheck[] = contractChecks,
): Promise<PlannedCheck[]> {
  const capabilities = await probeCapabilities(options);
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const storage = new Set(storageChecks);
  const failedStorage: string[] = [];
  let stopReported = false;
  return applicableChecks(capabilities, options, checks).map((check) => {
    const layer = storage.has(check) ? 'storage' : 'lake';
    return {
      group: check.group,
      name: check.name,
      layer,
      timeoutMs: timeoutMs * (check.timeoutFactor ?? 1),
      async run() {
        if (layer === 'lake' && failedStorage.length > 0) {
          if (stopReported) return 'skipped';
          stopReported = true;
          throw new ContractStoppedError(failedStorage);
        }
        try {
          await runCheck(check, options);
        } catch (error) {
          if (layer === 'storage') failedStorage.push(check.name);
          throw error;
        }
        return 'passed';
      },
    };
  });
}

/** What `runContractChecks` reports for one check. */
export interface CheckOutcome {
  group: string;
  name: string;
  status: 'passed' | 'failed' | 'skipped';
  error?: unknown;
}

/**
 * Runs the suite without any test framework, one check after the other, and returns every outcome
 * (it does not throw when checks fail). `onOutcome` sees each as it comes.
 */
export async function runContractChecks(
  options: ContractSuiteOptions,
  onOutcome: (outcome: CheckOutcome) => void = () => {},
  checks: readonly ContractCheck[] = contractChecks,
): Promise<CheckOutcome[]> {
  const outcomes: CheckOutcome[] = [];
  for (const planned of await planContract(options, checks)) {
    let outcome: CheckOutcome;
    try {
      outcome = { group: planned.group, name: planned.name, status: await planned.run() };
    } catch (error) {
      outcome = { group: planned.group, name: planned.name, status: 'failed', error };
    }
    outcomes.push(outcome);
    onOutcome(outcome);
  }
  return outcomes;
}

/** Groups planned checks by their `group`, keeping the order. */
export function byGroup(planned: readonly PlannedCheck[]): Map<string, PlannedCheck[]> {
  const groups = new Map<string, PlannedCheck[]>();
  for (const check of planned) groups.set(check.group, [...(groups.get(check.group) ?? []), check]);
  return groups;
}

async function probeCapabilities(options: ContractSuiteOptions): Promise<BackendCapabilities> {
  const probe = await options.create();
  const capabilities = { ...new StorageFront(probe).capabilities };
  if (options.destroy) await options.destroy(probe);
  else await probe.close?.();
  return capabilities;
}
