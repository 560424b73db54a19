import { join } from 'node:path';
import { ConflictError, DataType, type Entry, type Lake } from '@datalake/core';
import { describe, expect, it } from 'vitest';
import { restoreBackup, verifyBackup } from '../src/index.js';
import { backupToFile, openDiskLake, patternBytes, sha256, useScratch } from './support/lakes.js';

const scratch = useScratch('snapshot');

/**
 * The lake as a backup sees it, with another writer (a second instance on the same folder) acting
 * at the first read of each content: `onRead` decides what it does.
 */
function withWriter(lake: Lake, onRead: (id: string) => Promise<void>): Lake {
  const acted = new Set<string>();
  const act = async (id: string) => {
    if (acted.has(id)) return;
    acted.add(id);
    await onRead(id);
  };
  return new Proxy(lake, {
    get(target, property, receiver) {
      if (property === 'readBytes')
        return async (id: string) => {
          await act(id);
          return target.readBytes(id);
        };
      if (property === 'readStream')
        return async (id: string) => {
          const opened = await target.readStream(id);
          // The content is replaced while it streams: what was read so far is of the old version.
          async function* changing() {
            for await (const chunk of opened.stream) {
              yield chunk.subarray(0, 1000);
              await act(id);
              throw new ConflictError(`content of ${id} changed while it was read; read it again`);
            }
          }
          return { entry: opened.entry, stream: acted.has(id) ? opened.stream : changing() };
        };
      const value = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

describe('a backup while writers run', () => {
  it('holds every entry at one version that existed at its start or later', async () => {
    const folder = await scratch();
    const root = join(folder, 'lake');
    const lake = await openDiskLake(root);
    const writer = await openDiskLake(root);
    const versions = new Map<string, Set<string>>();
    const note = (entry: Entry) => {
      const known = versions.get(entry.filePath) ?? new Set<string>();
      known.add(entry.sha256);
      versions.set(entry.filePath, known);
    };
    const small: Entry[] = [];
    for (let i = 0; i < 12; i++) {
      const entry = await lake.store({
        name: `s${i}.txt`,
        content: `version 1 of ${i}`,
        dataType: DataType.DOCUMENTATION,
      });
      small.push(entry);
      note(entry);
    }
    const large = await lake.store({
      name: 'large.bin',
      content: patternBytes(200_000, 1),
      dataType: DataType.OTHER,
    });
    note(large);
    const doomed = await lake.store({
      name: 'doomed.txt',
      content: 'deleted while backing up',
      dataType: DataType.DOCUMENTATION,
    });
    note(doomed);

    const backup = withWriter(lake, async (id) => {
      if (id === small[0]?.id)
        note(await writer.update(id, { content: 'version 2 of 0, stored mid-backup' }));
      if (id === small[1]?.id) await writer.delete(doomed.id);
      if (id === doomed.id) await writer.delete(doomed.id);
      if (id === small[2]?.id) note(await writer.update(id, { metadata: { touched: true } }));
      if (id === large.id) note(await writer.update(id, { content: patternBytes(150_000, 2) }));
    });
    const file = join(folder, 'backup.tar');
    const report = await backupToFile(backup, file, { readAheadBytes: 1024 });
    expect(report.unreadable).toEqual([]);
    // With history, an entry whose content changed is mostly kept at its start version (the lake
    // keeps that content); one changed before it was listed with its history is amended.
    expect(report.amended + report.removed).toBeGreaterThanOrEqual(1);

    const verified = await verifyBackup(file);
    expect(verified.voidMembers).toBe(1);
    const target = await openDiskLake(join(folder, 'target'));
    await restoreBackup(file, target);
    const restored = await target.list();
    for (const entry of restored) {
      expect(versions.get(entry.filePath)?.has(entry.sha256), entry.filePath).toBe(true);
      expect(sha256(await target.readBytes(entry.id))).toBe(entry.sha256);
    }
    // Each entry at its start version or a later one: with history, the lake's kept copy of the start
    // version is read, so a deleted entry can still be in the backup as it was at the start.
    const paths = restored.map((entry) => entry.filePath);
    expect(paths.filter((path) => path !== 'documentation/doomed.txt')).toHaveLength(13);
    for (const handle of [lake, writer, target]) await handle.close();
  });
});
