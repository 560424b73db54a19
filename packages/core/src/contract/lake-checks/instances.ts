import type { BackendCapabilities } from '@datalake/model';
import { DataType } from '@datalake/model';
import { allByteValues, assertSameBytes, utf8 } from '../support/bytes.js';
import { assertErrorCode } from '../support/errors.js';
import { expect } from '../support/expect.js';
import { type ContractCheck, defineCheck } from '../types.js';
import { pathsOf } from './open-lake.js';

const GROUP = 'lake: several instances';
const atomic = (capabilities: BackendCapabilities) => capabilities.atomicConditionalWrites;

export const instanceChecks: ContractCheck[] = [
  defineCheck(GROUP, 'a lake closed and opened again shows the same entries', async (context) => {
    const first = await context.openLake(context.backend);
    const schema = await first.store({
      name: 's.sql',
      content: 'select 1;',
      dataType: DataType.SCHEMA,
      subpath: 'db',
    });
    const binary = await first.store({ name: 'b.bin', content: allByteValues(), dataType: DataType.OTHER });
    const changed = await first.store({ name: 'c.cfg', content: 'v=1', dataType: DataType.CONFIGURATION });
    const gone = await first.store({ name: 'd.log', content: 'bye', dataType: DataType.LOGS });
    await first.update(changed.id, { content: 'v=2', metadata: { bumped: true } });
    await first.delete(gone.id);
    const stats = await first.getStats();
    const listed = await first.list();
    await first.close();

    const second = await context.openLake(await context.reopen());
    expect(await second.getStats()).toEqual(stats);
    expect(await second.list()).toEqual(listed);
    expect((await second.retrieveByPath('schema/db/s.sql')).id).toBe(schema.id);
    assertSameBytes(await second.readBytes(binary.id), allByteValues(), 'binary after reopening');
    const retrieved = await second.retrieve(changed.id);
    expect(retrieved.content).toBe('v=2');
    expect(retrieved.metadata).toEqual({ bumped: true });
    expect(retrieved.updatedAt).not.toBeNull();
    expect(pathsOf(await second.list({ dataType: DataType.LOGS }))).toEqual([]);
    expect(await second.delete(gone.id)).toBe(false);
    await second.close();
  }),

  defineCheck(GROUP, 'refresh() shows another instance’s stores, updates and deletes', async (context) => {
    const a = await context.openLake(context.backend);
    const b = await context.openLake(await context.reopen());
    const entry = await a.store({
      name: 'x.md',
      content: 'one',
      dataType: DataType.DOCUMENTATION,
      subpath: 'shared',
    });
    await b.refresh();
    expect(pathsOf(await b.list())).toEqual(['documentation/shared/x.md']);
    expect((await b.retrieveByPath('documentation/shared/x.md')).content).toBe('one');
    expect((await b.getStats()).totalEntries).toBe(1);

    await a.update(entry.id, { content: 'two', metadata: { rev: 2 } });
    await b.refresh();
    const seen = await b.retrieve(entry.id);
    expect(seen.content).toBe('two');
    expect(seen.metadata).toEqual({ rev: 2 });
    expect((await b.getStats()).updatedEntries).toBe(1);

    await b.delete(entry.id);
    await a.refresh();
    expect(await a.list()).toEqual([]);
    expect((await a.getStats()).totalEntries).toBe(0);
    await a.close();
    await b.close();
  }),

  defineCheck(
    GROUP,
    'concurrent stores at one path from two instances have exactly one winner',
    async (context) => {
      const a = await context.openLake(context.backend);
      const b = await context.openLake(await context.reopen());
      for (let round = 0; round < 5; round++) {
        const name = `race-${round}.sql`;
        const outcomes = await Promise.allSettled([
          a.store({ name, content: `from a ${round}`, dataType: DataType.SCHEMA, subpath: 'race' }),
          b.store({ name, content: `from b ${round}`, dataType: DataType.SCHEMA, subpath: 'race' }),
          a.store({ name, content: `from a again ${round}`, dataType: DataType.SCHEMA, subpath: 'race' }),
        ]);
        const winners = outcomes.filter((outcome) => outcome.status === 'fulfilled');
        expect(winners.length, `winners of round ${round}`).toBe(1);
        for (const outcome of outcomes) {
          if (outcome.status === 'rejected')
            assertErrorCode(outcome.reason, 'CONFLICT', `losing store, round ${round}`);
        }
        const winner = (winners[0] as PromiseFulfilledResult<{ id: string }>).value;
        await a.refresh();
        await b.refresh();
        for (const lake of [a, b]) {
          const found = await lake.retrieveByPath(`schema/race/${name}`);
          expect(found.id).toBe(winner.id);
          expect(found.content.startsWith('from ')).toBe(true);
        }
      }
      expect((await a.getStats()).totalEntries).toBe(5);
      expect((await b.getStats()).totalEntries).toBe(5);
      await a.close();
      await b.close();
    },
    atomic,
  ),

  defineCheck(
    GROUP,
    'concurrent updates of one entry from two instances are never silently lost',
    async (context) => {
      const a = await context.openLake(context.backend);
      const b = await context.openLake(await context.reopen());
      const entry = await a.store({ name: 'counter.json', content: '{}', dataType: DataType.CONFIGURATION });
      await b.refresh();
      const writers = Array.from({ length: 12 }, (_, index) => ({
        lake: index % 2 === 0 ? a : b,
        key: `k${index}`,
      }));
      const outcomes = await Promise.allSettled(
        writers.map(({ lake, key }, index) =>
          lake.update(entry.id, {
            metadata: { [key]: index },
            ...(index % 3 === 0 ? { content: utf8(`{"writer":${index}}`) } : {}),
          }),
        ),
      );
      for (const outcome of outcomes) {
        if (outcome.status === 'rejected') assertErrorCode(outcome.reason, 'CONFLICT', 'a losing update');
      }
      const applied = writers.filter((_, index) => outcomes[index]?.status === 'fulfilled');
      expect(applied.length).toBeGreaterThan(0);
      await a.refresh();
      const final = await a.retrieve(entry.id);
      for (const { key } of applied)
        expect(final.metadata, `metadata after concurrent updates`).toHaveProperty(key);
      for (const [index, { key }] of writers.entries()) {
        if (outcomes[index]?.status === 'rejected') expect(final.metadata).not.toHaveProperty(key);
      }
      const contentWriters = writers
        .map((_, index) => index)
        .filter((index) => index % 3 === 0 && outcomes[index]?.status === 'fulfilled');
      if (contentWriters.length > 0) {
        expect(contentWriters.map((index) => `{"writer":${index}}`)).toContain(final.content);
      }
      await b.refresh();
      expect((await b.retrieve(entry.id)).metadata).toEqual(final.metadata);
      await a.close();
      await b.close();
    },
    atomic,
  ),
];
