import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { restoreBackup, verifyBackup } from '../src/index.js';
import {
  backupToFile,
  contentsOf,
  fillLake,
  openDiskLake,
  openMemoryLake,
  useScratch,
} from './support/lakes.js';

const scratch = useScratch('round-trip');

describe('backup and restore between disk lakes', () => {
  for (const gzip of [false, true]) {
    it(`restores every entry byte for byte (${gzip ? 'tar.gz' : 'tar'})`, async () => {
      const folder = await scratch();
      const source = await openDiskLake(join(folder, 'source'));
      await fillLake(source);
      const file = join(folder, gzip ? 'lake.tar.gz' : 'lake.tar');
      const report = await backupToFile(source, file, { gzip });
      expect(report).toMatchObject({ entries: 6, contents: 5, amended: 0, removed: 0, unreadable: [] });

      const verified = await verifyBackup(file, { against: source });
      expect(verified).toMatchObject({ entries: 6, contents: 5, backupId: report.backupId });
      expect(verified.against).toEqual({ missing: [], differing: [], extra: [], matches: true });

      const target = await openDiskLake(join(folder, 'target'));
      const restored = await restoreBackup(file, target);
      expect(restored.created).toHaveLength(6);
      expect(restored.failed).toEqual([]);
      expect(await contentsOf(target)).toEqual(await contentsOf(source));
      for (const entry of await target.list()) {
        const original = await source.getEntryByPath(entry.filePath);
        expect(Buffer.from(await target.readBytes(entry.id))).toEqual(
          Buffer.from(await source.readBytes(original.id)),
        );
      }
      // Run again: nothing left to do.
      const again = await restoreBackup(file, target);
      expect(again).toMatchObject({ created: [], replaced: [], unchanged: 6, kept: [] });
      await source.close();
      await target.close();
    });
  }

  it('restores an empty lake', async () => {
    const folder = await scratch();
    const source = await openMemoryLake();
    const file = join(folder, 'empty.tar');
    await backupToFile(source, file);
    const target = await openMemoryLake();
    expect(await restoreBackup(file, target)).toMatchObject({ entries: 0, created: [] });
    expect(await target.list()).toEqual([]);
  });
});
