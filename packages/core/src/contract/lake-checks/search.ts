import { DataType } from '@datalake/model';
import type { SearchHit } from '@datalake/search';
import type { DataLakeOptions } from '../../lake/data-lake.js';
import { expect } from '../support/expect.js';
import { type ContractCheck, defineCheck } from '../types.js';

const GROUP = 'lake: search';

function byName(hits: readonly SearchHit[]): string[] {
  return hits.map((hit) => hit.entry.name).sort();
}

function searchCheck(mode: NonNullable<DataLakeOptions['search']>): ContractCheck {
  return defineCheck(
    GROUP,
    `case-insensitive substring search over name, content and metadata (${mode})`,
    async ({ backend, openLake }) => {
      const lake = await openLake(backend, { search: mode });
      await lake.store({
        name: 'Invoices.sql',
        content: 'CREATE TABLE invoices (id INT);\n-- invoices again\nselect * from INVOICES;\n',
        dataType: DataType.SCHEMA,
        subpath: 'finance',
        metadata: { team: 'Accounts Payable' },
      });
      await lake.store({
        name: 'payroll.vba',
        content: "Sub Payroll()\n  ' no match here\nEnd Sub\n",
        dataType: DataType.MACRO,
        subpath: 'hr',
        metadata: { team: 'People', tags: ['Invoice-free'] },
      });
      await lake.store({
        name: 'notes.md',
        content: 'Straße café naïve — ÜBER\n',
        dataType: DataType.DOCUMENTATION,
        subpath: 'finance/notes',
      });

      const invoices = await lake.search('INVOICE');
      expect(byName(invoices.hits)).toEqual(['Invoices.sql', 'payroll.vba']);
      const sql = invoices.hits.find((hit) => hit.entry.name === 'Invoices.sql') as SearchHit;
      expect([...sql.matchedIn].sort()).toEqual(['content', 'name']);
      expect(sql.lineMatchCount).toBe(3);
      expect(sql.lines.map((line) => line.line)).toEqual([1, 2, 3]);
      expect(sql.entry).not.toHaveProperty('content');
      const macro = invoices.hits.find((hit) => hit.entry.name === 'payroll.vba') as SearchHit;
      expect(macro.matchedIn).toEqual(['metadata']);

      expect(byName((await lake.search('accounts payable')).hits)).toEqual(['Invoices.sql']);
      expect(byName((await lake.search('über')).hits)).toEqual(['notes.md']);
      expect(byName((await lake.search('café')).hits)).toEqual(['notes.md']);
      expect(byName((await lake.search('payroll()')).hits)).toEqual(['payroll.vba']);
      expect((await lake.search('no such text anywhere')).hits).toEqual([]);
      expect(byName((await lake.search('e', { dataType: DataType.SCHEMA })).hits)).toEqual(['Invoices.sql']);
      expect(byName((await lake.search('e', { subpath: 'finance' })).hits)).toEqual([
        'Invoices.sql',
        'notes.md',
      ]);
      expect(byName((await lake.search('e', { subpath: 'hr', dataType: DataType.SCHEMA })).hits)).toEqual([]);
      await lake.close();
    },
  );
}

export const searchChecks: ContractCheck[] = [
  searchCheck('index'),
  searchCheck('scan'),
  defineCheck(GROUP, 'search follows updates and deletes', async ({ backend, openLake }) => {
    const lake = await openLake(backend);
    const entry = await lake.store({ name: 'a.cfg', content: 'alpha=1', dataType: DataType.CONFIGURATION });
    await lake.update(entry.id, { content: 'beta=2' });
    expect((await lake.search('alpha')).hits).toEqual([]);
    expect(byName((await lake.search('BETA')).hits)).toEqual(['a.cfg']);
    await lake.update(entry.id, { metadata: { label: 'Gamma' } });
    expect(byName((await lake.search('gamma')).hits)).toEqual(['a.cfg']);
    await lake.delete(entry.id);
    expect((await lake.search('beta')).hits).toEqual([]);
    await lake.close();
    const reopened = await openLake(backend);
    expect((await reopened.search('beta')).hits).toEqual([]);
    await reopened.close();
  }),
];
