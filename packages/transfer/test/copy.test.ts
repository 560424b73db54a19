import { join } from 'node:path';
import { DataType } from '@datalake/core';
import { describe, expect, it } from 'vitest';
import { copyLake, type TransferProgress } from '../src/index.js';
import {
  contentsOf,
  fillLake,
  openDiskLake,
  openMemoryLake,
  patternBytes,
  useScratch,
} from './support/lakes.js';

const scratch = useScratch('copy');

describe('copy between lakes', () => {
  it('copies memory to disk and back, then only what changed', async () => {
    const folder = await scratch();
    const memory = await openMemoryLake();
    await fillLake(memory);
    const disk = await openDiskLake(join(folder, 'disk'));
    const steps: TransferProgress[] = [];
    const first = await copyLake(memory, disk, {
      verify: true,
      concurrency: 3,
      onProgress: (step) => steps.push(step),
    });
    expect(first).toMatchObject({
      entries: 6,
      created: 6,
      updated: 0,
      unchanged: 0,
      verified: 6,
      failed: [],
    });
    expect(steps.at(-1)).toMatchObject({ phase: 'copy', done: 6, total: 6 });
    expect(await contentsOf(disk)).toEqual(await contentsOf(memory));

    const again = await copyLake(memory, disk);
    expect(again).toMatchObject({ created: 0, updated: 0, unchanged: 6, bytes: 0 });

    await memory.update((await memory.getEntryByPath('other/bin/blob.bin')).id, {
      content: patternBytes(5000, 9),
    });
    await memory.update((await memory.getEntryByPath('macro/Report.bas')).id, {
      metadata: { reviewed: true },
    });
    await memory.store({ name: 'late.log', content: 'INFO late\n', dataType: DataType.LOGS });
    const third = await copyLake(memory, disk, { verify: true });
    expect(third).toMatchObject({ created: 1, updated: 2, unchanged: 4, bytes: 5000 + 10 });
    expect(await contentsOf(disk)).toEqual(await contentsOf(memory));

    const back = await openMemoryLake();
    await copyLake(disk, back);
    expect(await contentsOf(back)).toEqual(await contentsOf(memory));
    for (const lake of [memory, disk, back]) await lake.close();
  });

  it('deletes extra entries only with prune; a dry run changes nothing', async () => {
    const source = await openMemoryLake();
    await fillLake(source);
    const target = await openMemoryLake();
    await target.store({ name: 'extra.md', content: 'only here', dataType: DataType.DOCUMENTATION });
    const dry = await copyLake(source, target, { prune: true, dryRun: true });
    expect(dry).toMatchObject({ dryRun: true, created: 6, pruned: 1 });
    expect(await target.list()).toHaveLength(1);
    expect(await copyLake(source, target)).toMatchObject({ created: 6, extra: 1, pruned: 0 });
    expect(await copyLake(source, target, { prune: true })).toMatchObject({ pruned: 1, unchanged: 6 });
    expect(await contentsOf(target)).toEqual(await contentsOf(source));
  });

  it('copies an entry at its later version when it changes during the copy', async () => {
    const source = await openMemoryLake();
    const entry = await source.store({
      name: 'moving.txt',
      content: 'first',
      dataType: DataType.DOCUMENTATION,
    });
    const target = await openMemoryLake();
    let changed = false;
    const changing = new Proxy(source, {
      get(lake, property, receiver) {
        if (property === 'readStream')
          return async (id: string) => {
            if (!changed) {
              changed = true;
              await lake.update(id, { content: 'second, longer' });
            }
            return lake.readStream(id);
          };
        const value = Reflect.get(lake, property, receiver);
        return typeof value === 'function' ? value.bind(lake) : value;
      },
    });
    const report = await copyLake(changing, target, { verify: true });
    expect(report.failed).toEqual([]);
    expect((await target.retrieveByPath(entry.filePath)).content).toBe('second, longer');
  });
});
