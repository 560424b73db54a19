import { join } from 'node:path';
import { DataType } from '@datalake/core';
import { describe, expect, it } from 'vitest';
import { ArchiveError, restoreBackup, verifyBackup } from '../src/index.js';
import {
  backupToFile,
  contentsOf,
  fillLake,
  openDiskLake,
  patternBytes,
  useScratch,
} from './support/lakes.js';

const scratch = useScratch('incremental');

describe('backups --since an earlier one', () => {
  it('hold only the contents the earlier backup lacks, and restore with it as a base', async () => {
    const folder = await scratch();
    const lake = await openDiskLake(join(folder, 'source'));
    await fillLake(lake);
    const full = join(folder, 'full.tar');
    const first = await backupToFile(lake, full);

    const blob = await lake.getEntryByPath('other/bin/blob.bin');
    await lake.update(blob.id, { content: patternBytes(1000, 3), metadata: { rev: 2 } });
    await lake.store({ name: 'new.sql', content: 'CREATE TABLE n (x int);\n', dataType: DataType.SCHEMA });
    await lake.delete((await lake.getEntryByPath('macro/Report.bas')).id);
    const incremental = join(folder, 'monday.tar');
    const second = await backupToFile(lake, incremental, { since: full });
    expect(second.since).toEqual({ backupId: first.backupId, createdAt: first.createdAt });
    // With history the backup also names the blob's earlier content and the deleted entry's.
    expect(second).toMatchObject({ entries: 6, deleted: 1, contents: 2, contentsInBase: 5 });

    const verified = await verifyBackup(incremental, { against: lake });
    expect(verified).toMatchObject({ contentsInBase: 5, against: { matches: true } });

    const alone = await openDiskLake(join(folder, 'alone'));
    const refused = await restoreBackup(incremental, alone).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(ArchiveError);
    expect((refused as ArchiveError).problem).toBe('missing-content');
    expect(await alone.list()).toEqual([]);

    const target = await openDiskLake(join(folder, 'target'));
    const restored = await restoreBackup(incremental, target, { bases: [full] });
    expect(restored.failed).toEqual([]);
    expect(await contentsOf(target)).toEqual(await contentsOf(lake));
    for (const handle of [lake, alone, target]) await handle.close();
  });

  it('chain: a backup since an incremental one restores with both bases', async () => {
    const folder = await scratch();
    const lake = await openDiskLake(join(folder, 'source'));
    await fillLake(lake);
    const sunday = join(folder, 'sunday.tar');
    const monday = join(folder, 'monday.tar.gz');
    const tuesday = join(folder, 'tuesday.tar');
    await backupToFile(lake, sunday);
    await lake.store({ name: 'monday.log', content: 'INFO monday\n', dataType: DataType.LOGS });
    await backupToFile(lake, monday, { since: sunday, gzip: true });
    await lake.store({ name: 'tuesday.log', content: 'INFO tuesday\n', dataType: DataType.LOGS });
    const last = await backupToFile(lake, tuesday, { since: monday });
    expect(last).toMatchObject({ contents: 1, contentsInBase: 6 });

    const target = await openDiskLake(join(folder, 'target'));
    await expect(restoreBackup(tuesday, target, { bases: [monday] })).rejects.toMatchObject({
      problem: 'missing-content',
    });
    expect(await target.list()).toEqual([]);
    await restoreBackup(tuesday, target, { bases: [monday, sunday] });
    expect(await contentsOf(target)).toEqual(await contentsOf(lake));
    await lake.close();
    await target.close();
  });
});

describe('restore into a lake that holds entries', () => {
  it('keeps differing entries unless told to overwrite, deletes nothing unless told to prune', async () => {
    const folder = await scratch();
    const source = await openDiskLake(join(folder, 'source'));
    await fillLake(source);
    const file = join(folder, 'backup.tar');
    await backupToFile(source, file);

    const target = await openDiskLake(join(folder, 'target'));
    await target.store({
      name: 'orders.sql',
      content: 'changed',
      dataType: DataType.SCHEMA,
      subpath: 'shop/v1',
    });
    await target.store({ name: 'local.ini', content: '[x]\n', dataType: DataType.CONFIGURATION });
    const report = await restoreBackup(file, target);
    expect(report).toMatchObject({ kept: ['schema/shop/v1/orders.sql'], extra: 1, pruned: [], replaced: [] });
    expect(report.created).toHaveLength(5);
    expect((await target.retrieveByPath('schema/shop/v1/orders.sql')).content).toBe('changed');

    const dry = await restoreBackup(file, target, { overwrite: true, prune: true, dryRun: true });
    expect(dry).toMatchObject({
      dryRun: true,
      replaced: ['schema/shop/v1/orders.sql'],
      pruned: ['configuration/local.ini'],
    });
    expect((await target.retrieveByPath('schema/shop/v1/orders.sql')).content).toBe('changed');
    await target.getEntryByPath('configuration/local.ini');

    const applied = await restoreBackup(file, target, { overwrite: true, prune: true });
    expect(applied).toMatchObject({
      replaced: ['schema/shop/v1/orders.sql'],
      pruned: ['configuration/local.ini'],
      unchanged: 5,
    });
    expect(await contentsOf(target)).toEqual(await contentsOf(source));
    await source.close();
    await target.close();
  });

  it('replaces metadata keys the backup does not have', async () => {
    const folder = await scratch();
    const source = await openDiskLake(join(folder, 'source'));
    await source.store({
      name: 'a.md',
      content: 'a',
      dataType: DataType.DOCUMENTATION,
      metadata: { keep: 1 },
    });
    const file = join(folder, 'backup.tar');
    await backupToFile(source, file);
    const target = await openDiskLake(join(folder, 'target'));
    await target.store({
      name: 'a.md',
      content: 'a',
      dataType: DataType.DOCUMENTATION,
      metadata: { keep: 0, stray: true },
    });
    await restoreBackup(file, target, { overwrite: true });
    expect(await contentsOf(target)).toEqual(await contentsOf(source));
    await source.close();
    await target.close();
  });
});
