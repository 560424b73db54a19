import { DATA_TYPES, DataType } from '@datalake/model';
import { utf8 } from '../support/bytes.js';
import { expectErrorCode } from '../support/errors.js';
import { expect } from '../support/expect.js';
import { type ContractCheck, defineCheck } from '../types.js';
import { pathsOf } from './open-lake.js';

const GROUP = 'lake: list and stats';

const FIXTURE = [
  {
    name: 'macro.vba',
    dataType: DataType.MACRO,
    subpath: 'finance/2023-10-27',
    content: 'Sub A()\nEnd Sub\n',
  },
  { name: 'other.vba', dataType: DataType.MACRO, subpath: 'finance', content: 'Sub B()\nEnd Sub\n' },
  { name: 'top.vba', dataType: DataType.MACRO, subpath: '', content: "' top level\n" },
  { name: 'financer.vba', dataType: DataType.MACRO, subpath: 'financer', content: 'x' },
  {
    name: 'invoices.sql',
    dataType: DataType.SCHEMA,
    subpath: 'finance',
    content: 'CREATE TABLE t (é TEXT);',
  },
  { name: 'hr.sql', dataType: DataType.SCHEMA, subpath: 'hr', content: 'CREATE TABLE h (id INT);' },
  {
    name: 'README.md',
    dataType: DataType.DOCUMENTATION,
    subpath: 'finance/deep/er',
    content: '# Finance 📊\n',
  },
  {
    name: '.gitlab-ci.yml',
    dataType: DataType.CONFIGURATION,
    subpath: '.github',
    content: 'stages: [test]\n',
  },
] as const;

export const listStatsChecks: ContractCheck[] = [
  defineCheck(
    GROUP,
    'list filters by type, subpath and recursion, without content',
    async ({ backend, openLake }) => {
      const lake = await openLake(backend);
      for (const item of FIXTURE) await lake.store({ ...item });
      const all = await lake.list();
      expect(all).toHaveLength(FIXTURE.length);
      for (const entry of all) {
        expect(entry).not.toHaveProperty('content');
        expect(entry).not.toHaveProperty('bytes');
      }
      expect(pathsOf(await lake.list({ dataType: DataType.MACRO }))).toEqual([
        'macro/finance/2023-10-27/macro.vba',
        'macro/finance/other.vba',
        'macro/financer/financer.vba',
        'macro/top.vba',
      ]);
      expect(pathsOf(await lake.list({ dataType: DataType.MACRO, subpath: 'finance' }))).toEqual([
        'macro/finance/2023-10-27/macro.vba',
        'macro/finance/other.vba',
      ]);
      expect(
        pathsOf(await lake.list({ dataType: DataType.MACRO, subpath: 'finance', recursive: false })),
      ).toEqual(['macro/finance/other.vba']);
      expect(pathsOf(await lake.list({ dataType: DataType.MACRO, recursive: false }))).toEqual([
        'macro/top.vba',
      ]);
      expect(pathsOf(await lake.list({ subpath: 'finance' }))).toEqual([
        'documentation/finance/deep/er/README.md',
        'macro/finance/2023-10-27/macro.vba',
        'macro/finance/other.vba',
        'schema/finance/invoices.sql',
      ]);
      expect(pathsOf(await lake.list({ subpath: 'finance', recursive: false }))).toEqual([
        'macro/finance/other.vba',
        'schema/finance/invoices.sql',
      ]);
      expect(pathsOf(await lake.list({ subpath: '.github' }))).toEqual([
        'configuration/.github/.gitlab-ci.yml',
      ]);
      expect(await lake.list({ dataType: DataType.LOGS })).toEqual([]);
      expect(await lake.list({ subpath: 'nowhere' })).toEqual([]);
      await lake.close();
    },
  ),

  defineCheck(
    GROUP,
    'list rejects an unknown data type or an unsafe subpath',
    async ({ backend, openLake }) => {
      const lake = await openLake(backend);
      await expectErrorCode(
        () => lake.list({ dataType: 'binary' as DataType }),
        'VALIDATION',
        'list unknown type',
      );
      for (const subpath of ['../x', '/abs', 'a//b', 'a\u0000b']) {
        await expectErrorCode(
          () => lake.list({ subpath }),
          'VALIDATION',
          `list subpath ${JSON.stringify(subpath)}`,
        );
      }
      await lake.close();
    },
  ),

  defineCheck(GROUP, 'getStats counts entries, types, bytes and updates', async ({ backend, openLake }) => {
    const lake = await openLake(backend);
    const empty = await lake.getStats();
    expect(empty).toEqual({
      totalEntries: 0,
      entriesByType: Object.fromEntries(DATA_TYPES.map((type) => [type, 0])),
      totalSizeBytes: 0,
      totalSizeMb: 0,
      createdEntries: 0,
      updatedEntries: 0,
      storedSizeBytes: 0,
      originalSizeBytes: 0,
    });
    const ids: string[] = [];
    for (const item of FIXTURE) ids.push((await lake.store({ ...item })).id);
    const bytes = FIXTURE.reduce((sum, item) => sum + utf8(item.content).byteLength, 0);
    await lake.update(ids[0] as string, { metadata: { reviewed: true } });
    await lake.update(ids[1] as string, { content: 'Sub B2()\nEnd Sub\n' });
    await lake.delete(ids[2] as string);
    const grownBy = utf8('Sub B2()\nEnd Sub\n').byteLength - utf8(FIXTURE[1].content).byteLength;
    const removed = utf8(FIXTURE[2].content).byteLength;
    const stats = await lake.getStats();
    expect(stats).toMatchObject({
      totalEntries: FIXTURE.length - 1,
      entriesByType: { schema: 2, macro: 3, documentation: 1, configuration: 1, logs: 0, other: 0 },
      totalSizeBytes: bytes + grownBy - removed,
      createdEntries: FIXTURE.length - 3,
      updatedEntries: 2,
    });
    expect(stats.totalSizeMb).toBeCloseTo(stats.totalSizeBytes / (1024 * 1024), 3);
    // Small contents are never compressed: stored as they came.
    expect(stats.originalSizeBytes).toBe(stats.totalSizeBytes);
    expect(stats.storedSizeBytes).toBe(stats.totalSizeBytes);

    const reopened = await openLake(backend);
    expect(await reopened.getStats()).toEqual(stats);
    await reopened.close();
    await lake.close();
  }),
];
