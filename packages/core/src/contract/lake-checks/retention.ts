import type { StorageBackend } from '@datalake/model';
import { DataType, VERSIONS_BLOBS_PREFIX, VERSIONS_PREFIX } from '@datalake/model';
import { expect } from 'vitest';
import type { DataLake } from '../../lake/data-lake.js';
import { sha256Hex, utf8 } from '../support/bytes.js';
import { CrashingBackend } from '../support/crashing-backend.js';
import { expectErrorCode } from '../support/errors.js';
import { listKeys } from '../support/listing.js';
import { type ContractCheck, defineCheck } from '../types.js';
import { assertHistoryWhole } from './history.js';
import { openLocalLake as openLake } from './open-lake.js';

const GROUP = 'lake: retention and holds';
const BLOBS = VERSIONS_BLOBS_PREFIX;
const DAY = 24 * 60 * 60 * 1000;
const days = (count: number) => new Date(Date.now() + count * DAY);

/** Entries and rules that give retention something to remove and something it must keep. */
async function prepare(lake: DataLake) {
  const config = await lake.store({ name: 'app.cfg', content: 'one', dataType: DataType.CONFIGURATION });
  for (const content of ['two', 'three', 'four']) await lake.update(config.id, { content });
  // Another entry's current content is the bytes of config's version 1: they must stay.
  const shared = await lake.store({ name: 'shared.txt', content: 'x', dataType: DataType.DOCUMENTATION });
  await lake.update(shared.id, { content: 'one' });
  const old = await lake.store({
    name: 'old.log',
    content: 'old log',
    dataType: DataType.LOGS,
    subpath: 'app',
  });
  await lake.delete(old.id);
  const held = await lake.store({
    name: 'held.log',
    content: 'held log',
    dataType: DataType.LOGS,
    subpath: 'app',
  });
  await lake.retention.setLegalHold(held.id, { reason: 'case 42' });
  await expectErrorCode(() => lake.delete(held.id), 'RETENTION', 'delete under legal hold');
  await lake.retention.releaseLegalHold(held.id);
  await lake.delete(held.id);
  await lake.retention.setLegalHold(held.id, { reason: 'case 43' });
  await lake.retention.setRules([
    { name: 'configs', match: { dataType: DataType.CONFIGURATION }, keepLastVersions: 2 },
    { name: 'app logs', match: { pathPrefix: 'logs/app' }, purgeDeletedAfterDays: 30 },
  ]);
  await clockPastNewestVersionObject(lake);
  return { config, shared, old, held };
}

/**
 * Waits until the clock has passed the time of the newest object under `.versions/`: retention lets
 * only objects older than the write lease go, and a backend's object times may run a little ahead
 * of `Date.now()` (the disk backend keeps them strictly increasing).
 */
async function clockPastNewestVersionObject(lake: DataLake): Promise<void> {
  let newest = 0;
  let cursor: string | undefined;
  do {
    const page = await lake.backend.list(VERSIONS_PREFIX, cursor ? { cursor } : {});
    for (const object of page.objects) newest = Math.max(newest, object.lastModified.getTime());
    cursor = page.cursor;
  } while (cursor);
  while (Date.now() <= newest) await new Promise((resolve) => setTimeout(resolve, newest - Date.now() + 1));
}

async function expectRetained(lake: DataLake, ids: Awaited<ReturnType<typeof prepare>>): Promise<void> {
  const { config, shared, old, held } = ids;
  expect((await lake.history(config.id)).versions.map((version) => version.version)).toEqual([4, 3]);
  expect((await lake.retrieve(config.id, { version: 3 })).content).toBe('three');
  await expectErrorCode(() => lake.retrieve(config.id, { version: 1 }), 'NOT_FOUND', 'a purged version');
  await assertHistoryWhole(lake, shared.id);
  expect((await lake.retrieve(shared.id)).content).toBe('one');
  await expectErrorCode(() => lake.history(old.id), 'NOT_FOUND', 'a purged deleted entry');
  await expectErrorCode(() => lake.undelete(old.id), 'NOT_FOUND', 'undelete of a purged entry');
  expect((await lake.history(held.id)).deleted).toBe(true);
  const blobs = await listKeys(lake.backend, BLOBS);
  for (const text of ['one', 'three', 'held log'])
    expect(blobs).toContain(`${BLOBS}${sha256Hex(utf8(text))}`);
  for (const text of ['two', 'old log']) expect(blobs).not.toContain(`${BLOBS}${sha256Hex(utf8(text))}`);
  const again = await lake.retention.plan({ now: days(31) });
  expect(again).toMatchObject({ versions: [], entries: [], blobs: [], bytesFreed: 0 });
}

export const retentionChecks: ContractCheck[] = [
  defineCheck(
    GROUP,
    'holds refuse deletes with a typed error; governance yields to an override, compliance never',
    async ({ backend }) => {
      const lake = await openLake(backend);
      const entry = await lake.store({ name: 'keep.sql', content: 'select 1;', dataType: DataType.SCHEMA });
      const error = await expectErrorCode(
        async () => {
          await lake.retention.setLegalHold(entry.id, { reason: 'audit 2026', author: 'legal' });
          await lake.delete(entry.id);
        },
        'RETENTION',
        'delete under legal hold',
      );
      expect((error as { details: Record<string, unknown> }).details).toMatchObject({
        id: entry.id,
        hold: 'legal',
      });
      await expectErrorCode(
        () => lake.retention.setLegalHold(entry.id, { reason: '' }),
        'VALIDATION',
        'no reason',
      );
      await lake.retention.releaseLegalHold(entry.id);

      await lake.retention.setRetainUntil(entry.id, { until: days(10), mode: 'governance' });
      await expectErrorCode(() => lake.delete(entry.id), 'RETENTION', 'delete before a governance date');
      await expectErrorCode(
        () => lake.retention.setRetainUntil(entry.id, { until: days(1) }),
        'RETENTION',
        'shortening without override',
      );
      const shortened = await lake.retention.setRetainUntil(entry.id, {
        until: null,
        override: true,
        author: 'boss',
        message: 'ok',
      });
      expect(shortened.retainUntil).toBeUndefined();
      expect(shortened.overrides).toHaveLength(1);
      expect(shortened.overrides[0]).toMatchObject({ to: null, author: 'boss', message: 'ok' });

      await lake.retention.setRetainUntil(entry.id, { until: days(10), mode: 'compliance' });
      await expectErrorCode(
        () => lake.retention.setRetainUntil(entry.id, { until: days(1), override: true }),
        'RETENTION',
        'shortening a compliance date',
      );
      await expectErrorCode(
        () =>
          lake.retention.setRetainUntil(entry.id, { until: days(20), mode: 'governance', override: true }),
        'RETENTION',
        'weakening compliance to governance',
      );
      expect(
        (await lake.retention.setRetainUntil(entry.id, { until: days(20), mode: 'compliance' })).retainUntil
          ?.mode,
      ).toBe('compliance');
      const refused = await expectErrorCode(
        () => lake.delete(entry.id),
        'RETENTION',
        'delete before a compliance date',
      );
      expect((refused as { details: Record<string, unknown> }).details.hold).toBe('compliance');
      expect((await lake.retrieve(entry.id)).content).toBe('select 1;');
      await expectErrorCode(
        () => lake.retention.setLegalHold('no-such-entry', { reason: 'x' }),
        'NOT_FOUND',
        'hold on nothing',
      );
      await lake.close();
    },
  ),

  defineCheck(GROUP, 'rules are versioned and validated', async ({ backend }) => {
    const lake = await openLake(backend);
    expect(await lake.retention.rules()).toMatchObject({ version: 0, rules: [] });
    await lake.retention.setRules([{ name: 'a', keepLastVersions: 3 }], { author: 'ops' });
    await lake.retention.setRules([
      { name: 'b', match: { metadata: { key: 'tier', value: 'gold' } }, keepNoncurrentDays: 90 },
    ]);
    const history = await lake.retention.rulesHistory();
    expect(history.map((rules) => [rules.version, rules.rules[0]?.name])).toEqual([
      [2, 'b'],
      [1, 'a'],
    ]);
    expect(history[1]?.author).toBe('ops');
    for (const bad of [
      [{ name: 'x' }],
      [{ name: 'x', keepLastVersions: 0 }],
      [{ name: 'x', keepLastVersions: 1, match: { dataType: 'spreadsheet' } }],
      [{ name: 'x', keepLastVersions: 1, extra: true }],
      [
        { name: 'x', keepLastVersions: 1 },
        { name: 'x', purgeDeletedAfterDays: 1 },
      ],
      'not a list',
    ])
      await expectErrorCode(() => lake.retention.setRules(bad as never), 'VALIDATION', JSON.stringify(bad));
    expect((await lake.retention.rules()).version).toBe(2);
    await lake.close();
  }),

  defineCheck(
    GROUP,
    'plan lists and apply removes what the rules let go; shared content and held entries stay',
    async ({ backend }) => {
      // Content and pages younger than the write lease may belong to a write in flight: a lease of 0 lets them go.
      const lake = await openLake(backend, { writeLeaseMs: 0 });
      const ids = await prepare(lake);
      expect(await lake.retention.plan()).toMatchObject({ entries: [] }); // deleted, but not 30 days ago
      const plan = await lake.retention.plan({ now: days(31) });
      expect(plan.versions.map((item) => [item.id, item.versions.map((version) => version.version)])).toEqual(
        [[ids.config.id, [1, 2]]],
      );
      expect(plan.entries.map((item) => item.id)).toEqual([ids.old.id]);
      expect(plan.blobs.map((blob) => blob.sha256).sort()).toEqual(
        [sha256Hex(utf8('old log')), sha256Hex(utf8('two'))].sort(),
      );
      expect(plan.bytesFreed).toBe('two'.length + 'old log'.length);
      const outcome = await lake.retention.apply({ now: days(31) });
      expect(outcome.bytesFreed).toBe(plan.bytesFreed);
      await expectRetained(lake, ids);
      await lake.close();
    },
  ),

  defineCheck(
    GROUP,
    'keepNoncurrentDays keeps versions for that long after they stop being current',
    async ({ backend }) => {
      const lake = await openLake(backend);
      const entry = await lake.store({
        name: 'n.md',
        content: 'a',
        dataType: DataType.DOCUMENTATION,
        metadata: { tier: 'gold' },
      });
      await lake.update(entry.id, { content: 'b' });
      await lake.update(entry.id, { content: 'c' });
      await lake.retention.setRules([
        { name: 'gold', match: { metadata: { key: 'tier', value: 'gold' } }, keepNoncurrentDays: 7 },
      ]);
      expect((await lake.retention.plan({ now: days(6) })).versions).toEqual([]);
      const later = await lake.retention.plan({ now: days(8) });
      expect(later.versions[0]?.versions.map((version) => version.version)).toEqual([1, 2]);
      await lake.retention.setRetainUntil(entry.id, { until: days(9) });
      expect((await lake.retention.plan({ now: days(8) })).versions).toEqual([]);
      await lake.close();
    },
  ),

  defineCheck(
    GROUP,
    'an interrupted apply leaves a lake that a second apply finishes',
    async ({ backend }) => {
      const counting = new CrashingBackend(backend);
      const dry = await openLake(counting, { writeLeaseMs: 0 });
      await prepare(dry);
      counting.arm(undefined);
      await dry.retention.apply({ now: days(31) });
      const calls = counting.mutations;
      await dry.close();
      expect(calls).toBeGreaterThan(0);
      for (let k = 1; k <= calls; k++) {
        const fresh = await emptied(backend);
        const setup = await openLake(fresh);
        const prepared = await prepare(setup);
        await setup.close();
        const dying = new CrashingBackend(fresh);
        const doomed = await openLake(dying, { writeLeaseMs: 0 });
        dying.arm(k, k % 2 === 0 ? 'after-write' : 'before-write');
        await doomed.retention.apply({ now: days(31) }).catch(() => undefined);
        const finishing = await openLake(fresh, { writeLeaseMs: 0 });
        try {
          await finishing.retention.apply({ now: days(31) });
          await expectRetained(finishing, prepared);
        } catch (error) {
          throw new Error(`apply interrupted at mutating call ${k}: ${(error as Error).message}`, {
            cause: error,
          });
        } finally {
          await finishing.close();
        }
      }
    },
  ),
].map((check) => ({ ...check, needsLocalLake: true, timeoutFactor: 3 }));

/** The backend with everything the last round left removed: each crash point starts from an empty lake. */
async function emptied(backend: StorageBackend): Promise<StorageBackend> {
  for (const key of await listKeys(backend, '')) await backend.delete(key);
  return backend;
}
