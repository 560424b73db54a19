import { runInProcesses } from '../processes/pool.js';
import type { CreateOutcome, WorkerReport } from '../processes/protocol.js';
import { readBody, utf8 } from '../support/bytes.js';
import { expect } from '../support/expect.js';
import type { CheckContext, ContractCheck, ContractSuiteOptions, WorkerFactory } from '../types.js';

const GROUP = 'storage: several processes';
const PROCESSES = 4;
const CREATE_ROUNDS = 5;
const INCREMENTS = 8;

function factoryOf(context: CheckContext): {
  factory: WorkerFactory;
  factoryOptions: Record<string, unknown>;
} {
  const { workers, workerOptions } = context.options;
  if (!workers) {
    throw new Error(
      'the backend declares capabilities.sharedAcrossProcesses, so the suite needs a `workers` option ' +
        '(a factory module the worker processes load) and `workerOptions` to prove it across processes',
    );
  }
  return { factory: workers, factoryOptions: workerOptions?.(context.adapter) ?? {} };
}

function appliesAcrossProcesses(
  capabilities: { sharedAcrossProcesses: boolean; atomicConditionalWrites: boolean },
  options: ContractSuiteOptions,
): boolean {
  return (
    capabilities.sharedAcrossProcesses && capabilities.atomicConditionalWrites && options.workers !== false
  );
}

export const processChecks: ContractCheck[] = [
  {
    group: GROUP,
    name: `${PROCESSES} processes racing PutMode.create of one key have exactly one winner`,
    appliesTo: appliesAcrossProcesses,
    async run(context) {
      const { factory, factoryOptions } = factoryOf(context);
      const keys = Array.from({ length: CREATE_ROUNDS }, (_, round) => `processes/create-${round}.txt`);
      const reports = await runInProcesses(
        factory,
        factoryOptions,
        Array.from({ length: PROCESSES }, (_, writer) => ({ kind: 'create' as const, keys, writer })),
      );
      for (const [round, key] of keys.entries()) {
        const winners = reports.flatMap((report, writer) =>
          outcomeOf(report, round) === 'won' ? [writer] : [],
        );
        expect(
          winners.length,
          `put(${JSON.stringify(key)}, create) from ${PROCESSES} processes: number of winners (writers ${JSON.stringify(winners)})`,
        ).toBe(1);
        const stored = await context.backend.get(key);
        const text = stored ? new TextDecoder().decode(await readBody(stored.body)) : null;
        expect(text, `get(${JSON.stringify(key)}) after the race`).toBe(`writer ${winners[0]}`);
      }
    },
  },
  {
    group: GROUP,
    name: `${PROCESSES} processes incrementing one counter with PutMode.replace lose no update`,
    appliesTo: appliesAcrossProcesses,
    async run(context) {
      const { factory, factoryOptions } = factoryOf(context);
      const key = 'processes/counter.txt';
      await context.backend.put(key, utf8('0'));
      await runInProcesses(
        factory,
        factoryOptions,
        Array.from({ length: PROCESSES }, () => ({
          kind: 'increment' as const,
          key,
          times: INCREMENTS,
          maxAttempts: 500,
        })),
      );
      const stored = await context.backend.get(key);
      const value = stored ? Number(new TextDecoder().decode(await readBody(stored.body))) : null;
      expect(
        value,
        `get(${JSON.stringify(key)}) after ${PROCESSES} processes each added ${INCREMENTS} by compare-and-swap`,
      ).toBe(PROCESSES * INCREMENTS);
    },
  },
];

function outcomeOf(report: WorkerReport, round: number): CreateOutcome | undefined {
  return report.type === 'done' ? report.created?.[round] : undefined;
}
