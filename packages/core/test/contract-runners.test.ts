import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { type CheckOutcome, ContractStoppedError, runContractChecks } from '../src/contract/index.js';
import { ListsUnsorted } from './support/broken-backends.js';

const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

function nodeTest(broken: boolean) {
  return spawnSync(
    process.execPath,
    [
      '--import',
      tsx,
      '--conditions',
      '@datalake/source',
      '--test',
      fileURLToPath(new URL('./support/node-test-suite.ts', import.meta.url)),
    ],
    {
      encoding: 'utf8',
      env: { ...process.env, DATALAKE_CONTRACT_BROKEN: broken ? '1' : '0' },
      timeout: 600_000,
    },
  );
}

describe('the contract runners', () => {
  it('node:test runs the whole suite on the example adapter, and it passes', () => {
    const run = nodeTest(false);
    expect(run.status, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toMatch(/# pass [1-9]\d+/);
    expect(run.stdout).toMatch(/# fail 0/);
  }, 600_000);

  it('node:test fails a broken adapter and stops the lake checks with one message', () => {
    const run = nodeTest(true);
    expect(run.status).not.toBe(0);
    expect(run.stdout).toMatch(/lake-level checks stopped: \d+ storage-level check\(s\) failed/);
    expect(run.stdout).toMatch(/# skipped [1-9]\d*/);
  }, 600_000);

  it('without a framework: storage failures, then one stop, then skips', async () => {
    const outcomes: CheckOutcome[] = await runContractChecks({
      name: 'unsorted',
      create: () => new ListsUnsorted(),
    });
    const failedStorage = outcomes.filter(
      (outcome) => outcome.status === 'failed' && outcome.group.startsWith('storage'),
    );
    expect(failedStorage.length).toBeGreaterThan(0);
    const lake = outcomes.filter((outcome) => outcome.group.startsWith('lake'));
    expect(lake[0]?.status).toBe('failed');
    expect(lake[0]?.error).toBeInstanceOf(ContractStoppedError);
    expect(lake.slice(1).every((outcome) => outcome.status === 'skipped')).toBe(true);
    // A failure names the operation, the key and both values.
    const unsorted = failedStorage.find(
      (outcome) => outcome.name === 'lists every key once, in UTF-8 byte order',
    );
    expect(String((unsorted?.error as Error)?.message)).toMatch(
      /list of "".*not in ascending UTF-8 byte order: ".*" came before ".*"/,
    );
  }, 600_000);
});
