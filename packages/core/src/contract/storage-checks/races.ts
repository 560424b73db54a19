import type { BackendCapabilities, StorageBackend } from '@datalake/model';
import { PutMode } from '@datalake/model';
import { patternBytes, readBody, sha256Hex, streamOf, utf8 } from '../support/bytes.js';
import { assertErrorCode } from '../support/errors.js';
import { expect } from '../support/expect.js';
import { type CheckContext, type ContractCheck, defineCheck } from '../types.js';
import { assertStoredBytes } from './round-trip.js';

const GROUP = 'storage: races';
const WRITERS = 16;
const atomic = (capabilities: BackendCapabilities) => capabilities.atomicConditionalWrites;
const atomicDeletes = (capabilities: BackendCapabilities) => capabilities.atomicConditionalDeletes;

/** Backends for the racers: spread over two instances when the storage is shared between processes. */
async function racingBackends(context: CheckContext): Promise<StorageBackend[]> {
  const shared = context.separateInstances && context.backend.capabilities.sharedAcrossProcesses;
  const other = shared ? await context.reopen() : context.backend;
  return Array.from({ length: WRITERS }, (_, index) => (index % 2 === 0 ? context.backend : other));
}

/** Asserts exactly one fulfilled outcome and every other one a precondition failure; returns the winner's index. */
function singleWinner(outcomes: PromiseSettledResult<unknown>[], what: string): number {
  const winners = outcomes.flatMap((outcome, index) => (outcome.status === 'fulfilled' ? [index] : []));
  for (const outcome of outcomes) {
    if (outcome.status === 'rejected') assertErrorCode(outcome.reason, 'PRECONDITION_FAILED', what);
  }
  expect(winners.length, `${what}: number of winners`).toBe(1);
  return winners[0] as number;
}

export const raceChecks: ContractCheck[] = [
  defineCheck(
    GROUP,
    `${WRITERS} racing conditional creates of one key have exactly one winner`,
    async (context) => {
      const backends = await racingBackends(context);
      for (const round of [0, 1, 2]) {
        const key = `race/create-${round}.bin`;
        const bodies = backends.map((_, index) => patternBytes(50_000 + index, round * 100 + index));
        const outcomes = await Promise.allSettled(
          backends.map((backend, index) =>
            backend.put(
              key,
              round === 0 ? (bodies[index] as Uint8Array) : streamOf(bodies[index] as Uint8Array, 8192),
              { mode: PutMode.create },
            ),
          ),
        );
        const winner = singleWinner(outcomes, `conditional create round ${round}`);
        await assertStoredBytes(context.backend, key, bodies[winner] as Uint8Array);
      }
    },
    atomic,
  ),

  defineCheck(
    GROUP,
    `${WRITERS} racing compare-and-swap writes of one version have exactly one winner`,
    async (context) => {
      const backends = await racingBackends(context);
      let current = await context.backend.put('race/cas.json', utf8('{"version":0}'));
      for (const round of [1, 2, 3]) {
        const bodies = backends.map((_, index) => utf8(`{"version":${round},"writer":${index}}`));
        const outcomes = await Promise.allSettled(
          backends.map((backend, index) =>
            backend.put('race/cas.json', bodies[index] as Uint8Array, {
              mode: PutMode.replace(current.etag),
            }),
          ),
        );
        const winner = singleWinner(outcomes, `compare-and-swap round ${round}`);
        const result = outcomes[winner] as PromiseFulfilledResult<{ etag: string; size: number }>;
        await assertStoredBytes(context.backend, 'race/cas.json', bodies[winner] as Uint8Array);
        expect((await context.backend.head('race/cas.json'))?.etag).toBe(result.value.etag);
        current = result.value;
      }
    },
    atomic,
  ),

  defineCheck(
    GROUP,
    `${WRITERS} racing conditional deletes of one version remove it once`,
    async (context) => {
      const backends = await racingBackends(context);
      const { etag } = await context.backend.put('race/delete.txt', utf8('doomed'));
      const outcomes = await Promise.allSettled(
        backends.map((backend) => backend.delete('race/delete.txt', { ifMatch: etag })),
      );
      const removed = outcomes.filter((outcome) => outcome.status === 'fulfilled' && outcome.value === true);
      expect(removed.length, 'conditional deletes that answered true').toBe(1);
      for (const outcome of outcomes) {
        if (outcome.status === 'rejected') {
          assertErrorCode(outcome.reason, 'PRECONDITION_FAILED', 'losing conditional delete');
        }
      }
      expect(await context.backend.head('race/delete.txt')).toBeNull();
    },
    atomicDeletes,
  ),

  defineCheck(GROUP, 'racing plain writes of one key leave exactly one whole body', async ({ backend }) => {
    const bodies = Array.from({ length: 8 }, (_, index) => patternBytes(300_000 + index, 40 + index));
    const results = await Promise.all(
      bodies.map((body) => backend.put('race/plain.bin', streamOf(body, 16_384))),
    );
    const got = await backend.get('race/plain.bin');
    if (got === null) throw new Error('racing plain writes left no object');
    const bytes = await readBody(got.body);
    const digest = sha256Hex(bytes);
    const winner = bodies.findIndex((body) => sha256Hex(body) === digest);
    expect(winner, 'the stored body is one of the written bodies, whole').toBeGreaterThanOrEqual(0);
    expect(got.size).toBe(bodies[winner]?.byteLength);
    expect(results.map((result) => result.etag)).toContain(got.etag);
  }),
];
