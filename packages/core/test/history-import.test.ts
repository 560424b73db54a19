import { describe, expect, it } from 'vitest';
import {
  ConflictError,
  CorruptDataError,
  DataLake,
  type EntryWithHistory,
  ValidationError,
} from '../src/index.js';
import { MapBackend } from './support/map-backend.js';

async function openLake(backend = new MapBackend()): Promise<DataLake> {
  return DataLake.open(backend, { keepBackendOpen: true, search: 'scan', onNotice: () => {} });
}

/** Every content the history of `item` needs kept, from `source`, then the entry itself. */
async function carry(source: DataLake, target: DataLake, item: EntryWithHistory): Promise<string> {
  for (const version of item.versions) {
    if (!item.deleted && version.sha256 === item.entry.sha256) continue;
    const bytes = (await source.transfer.hasContent(version.sha256))
      ? source.transfer.readContent(version.sha256).then(collect)
      : source.readBytes(item.entry.id, { version: version.version });
    await target.transfer.importContent(version.sha256, await bytes);
  }
  const content = item.deleted ? undefined : await source.readBytes(item.entry.id);
  return target.transfer.importEntry({ ...item, ...(content ? { content } : {}) });
}

async function collect(stream: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return Buffer.concat(chunks);
}

async function historied(lake: DataLake) {
  const entry = await lake.store({ name: 'a.json', dataType: 'schema', content: '{"v":1}', author: 'ann' });
  await lake.update(entry.id, { content: '{"v":2}', metadata: { tag: 'two' }, message: 'second' });
  await lake.update(entry.id, { metadata: { tag: 'three' } });
  await lake.restore(entry.id, 1);
  return entry;
}

describe('importing entries with their history', () => {
  it('keeps id, timestamps and every version; retrieve, diff and asOf answer as in the source', async () => {
    const source = await openLake();
    const target = await openLake();
    const entry = await historied(source);
    const item = await source.transfer.entryWithHistory(entry.id);
    expect(item.versions).toHaveLength(4);
    expect(await carry(source, target, item)).toBe('created');

    expect(await target.getEntry(entry.id)).toEqual(await source.getEntry(entry.id));
    expect(await target.history(entry.id)).toEqual(await source.history(entry.id));
    for (const version of [1, 2, 3, 4]) {
      const [mine, theirs] = await Promise.all([
        target.retrieve(entry.id, { version }),
        source.retrieve(entry.id, { version }),
      ]);
      expect({ ...mine, bytes: Buffer.from(mine.bytes) }).toEqual({
        ...theirs,
        bytes: Buffer.from(theirs.bytes),
      });
    }
    expect(await target.diff(entry.id, 1, 2)).toEqual(await source.diff(entry.id, 1, 2));
    const moment = item.versions[1]?.at as string;
    expect(await target.list({ asOf: moment })).toEqual(await source.list({ asOf: moment }));
    // Reopened from storage, the same.
    const reopened = await openLake(target.backend as MapBackend);
    expect(await reopened.history(entry.id)).toEqual(await source.history(entry.id));
    // Writing on goes on numbering after the imported versions.
    await reopened.update(entry.id, { metadata: { more: true } });
    expect((await reopened.history(entry.id)).versions[0]?.version).toBe(5);
  });

  it('carries a deleted entry that can be undeleted, and an entry of more versions than a record holds', async () => {
    const source = await openLake();
    const target = await openLake();
    const gone = await source.store({ name: 'gone.txt', dataType: 'documentation', content: 'bye' });
    await source.delete(gone.id, { message: 'cleanup' });
    const long = await source.store({ name: 'long.txt', dataType: 'documentation', content: 'v0' });
    for (let index = 1; index <= 80; index++) await source.update(long.id, { content: `v${index}` });
    const deleted = [];
    for await (const item of source.transfer.deletedEntries()) deleted.push(item);
    expect(deleted.map((item) => item.entry.id)).toEqual([gone.id]);
    await carry(source, target, deleted[0] as EntryWithHistory);
    await carry(source, target, await source.transfer.entryWithHistory(long.id));

    expect(await target.history(gone.id)).toEqual(await source.history(gone.id));
    expect((await target.list()).map((entry) => entry.id)).toEqual([long.id]);
    const back = await target.undelete(gone.id);
    expect(Buffer.from(await target.readBytes(back.id)).toString()).toBe('bye');
    const all = async (lake: DataLake) => {
      const out = [];
      let cursor: string | undefined;
      do {
        const page = await lake.history(long.id, { limit: 7, ...(cursor ? { cursor } : {}) });
        out.push(...page.versions);
        cursor = page.cursor;
      } while (cursor);
      return out;
    };
    expect(await all(target)).toEqual(await all(source));
    expect(Buffer.from(await target.readBytes(long.id, { version: 3 })).toString()).toBe('v2');
  });

  it('is resumable and incremental: the same history is unchanged, a longer one advances, another conflicts', async () => {
    const source = await openLake();
    const target = await openLake();
    const entry = await historied(source);
    await carry(source, target, await source.transfer.entryWithHistory(entry.id));
    expect(await carry(source, target, await source.transfer.entryWithHistory(entry.id))).toBe('unchanged');
    await source.update(entry.id, { content: 'five' });
    await source.update(entry.id, { metadata: { six: 6 } });
    expect(await carry(source, target, await source.transfer.entryWithHistory(entry.id))).toBe('advanced');
    expect(await target.history(entry.id)).toEqual(await source.history(entry.id));
    expect(Buffer.from(await target.readBytes(entry.id)).toString()).toBe('five');
    await source.delete(entry.id);
    expect(await carry(source, target, await source.transfer.entryWithHistory(entry.id))).toBe('advanced');
    expect(await target.history(entry.id)).toEqual(await source.history(entry.id));
    expect(await target.list()).toEqual([]);
    await source.undelete(entry.id);
    expect(await carry(source, target, await source.transfer.entryWithHistory(entry.id))).toBe('advanced');
    expect(await target.history(entry.id)).toEqual(await source.history(entry.id));

    // The target changed on its own: the source's history does not continue its.
    await target.update(entry.id, { metadata: { local: true } });
    await source.update(entry.id, { metadata: { remote: true } });
    await expect(carry(source, target, await source.transfer.entryWithHistory(entry.id))).rejects.toThrow(
      ConflictError,
    );
  });

  it('refuses a version naming content the lake does not keep, and content that lies, leaving nothing', async () => {
    const source = await openLake();
    const target = await openLake();
    const entry = await historied(source);
    const item = await source.transfer.entryWithHistory(entry.id);
    const content = await source.readBytes(entry.id);
    await expect(target.transfer.importEntry({ ...item, content })).rejects.toMatchObject({
      code: 'VALIDATION',
      details: { problem: 'missing-content' },
    });
    for (const version of item.versions)
      if (version.sha256 !== item.entry.sha256)
        await target.transfer.importContent(
          version.sha256,
          await source.readBytes(entry.id, { version: version.version }),
        );
    await expect(
      target.transfer.importEntry({ ...item, content: Buffer.from('not the content') }),
    ).rejects.toThrow(CorruptDataError);
    await expect(target.transfer.importContent('0'.repeat(64), 'not that')).rejects.toThrow(CorruptDataError);
    expect(await target.transfer.hasContent('0'.repeat(64))).toBe(false);
    expect(await target.list()).toEqual([]);
    expect(await target.transfer.importEntry({ ...item, content })).toBe('created');
  });

  it('validates what it is given', async () => {
    const source = await openLake();
    const target = await openLake();
    const entry = await historied(source);
    const item = await source.transfer.entryWithHistory(entry.id);
    const content = await source.readBytes(entry.id);
    const bad: unknown[] = [
      { ...item, entry: { ...item.entry, filePath: '../../etc/passwd' } },
      { ...item, entry: { ...item.entry, id: '../x' } },
      { ...item, versions: [] },
      { ...item, versions: [...item.versions].reverse() },
      { ...item, deleted: true },
      { ...item, entry: { ...item.entry, sha256: 'f'.repeat(64) } },
      { ...item, entry: { ...item.entry, updatedAt: '2020-01-01T00:00:00.000Z' } },
      { ...item, versions: item.versions.map((version) => ({ ...version, op: 'rename' })) },
      null,
    ];
    for (const input of bad)
      await expect(target.transfer.importEntry({ ...(input as EntryWithHistory), content })).rejects.toThrow(
        ValidationError,
      );
    expect(await target.list()).toEqual([]);
  });

  it('carries retention rules and holds', async () => {
    const source = await openLake();
    const target = await openLake();
    const entry = await source.store({ name: 'kept.txt', dataType: 'documentation', content: 'x' });
    await source.retention.setRules([{ name: 'keep', keepLastVersions: 3 }]);
    await source.retention.setLegalHold(entry.id, { reason: 'audit' });
    const exported = await source.transfer.exportRetention();
    await carry(source, target, await source.transfer.entryWithHistory(entry.id));
    expect(await target.transfer.importRetention(exported)).toBe(1);
    expect((await target.retention.rules()).rules).toEqual(exported.rules);
    expect(await target.retention.holds(entry.id)).toEqual(await source.retention.holds(entry.id));
    await expect(target.delete(entry.id)).rejects.toMatchObject({ code: 'RETENTION' });
    expect(await target.transfer.importRetention(exported)).toBe(0);
    expect((await target.retention.rulesHistory()).length).toBe(1);
  });

  it('creates an entry said to be absent without reading first, and falls back to reading when it is not', async () => {
    const source = await openLake();
    const target = await openLake();
    const entry = await historied(source);
    const item = await source.transfer.entryWithHistory(entry.id);
    const content = await source.readBytes(entry.id);
    for (const version of item.versions)
      if (version.sha256 !== item.entry.sha256)
        await target.transfer.importContent(
          version.sha256,
          await source.readBytes(entry.id, { version: version.version }),
        );
    expect(await target.transfer.importEntry({ ...item, content }, { absent: true })).toBe('created');
    expect(await target.history(entry.id)).toEqual(await source.history(entry.id));
    // Wrongly said to be absent: the lake holds it, so it is read and found the same.
    expect(await target.transfer.importEntry({ ...item, content }, { absent: true })).toBe('unchanged');
    await source.update(entry.id, { content: 'later' });
    const later = await source.transfer.entryWithHistory(entry.id);
    const laterContent = await source.readBytes(entry.id);
    expect(await target.transfer.importEntry({ ...later, content: laterContent }, { absent: true })).toBe(
      'advanced',
    );
    expect(Buffer.from(await target.readBytes(entry.id)).toString()).toBe('later');

    // Another entry holds the path: a conflict, as without the hint, and the lake keeps its own.
    const fresh = await openLake();
    const single = await fresh.store({ name: 'b.json', dataType: 'schema', content: 'theirs' });
    const singleItem = await fresh.transfer.entryWithHistory(single.id);
    const other = await openLake();
    const mine = await other.store({ name: 'b.json', dataType: 'schema', content: 'mine' });
    await expect(
      other.transfer.importEntry({ ...singleItem, content: Buffer.from('theirs') }, { absent: true }),
    ).rejects.toThrow(ConflictError);
    expect(await other.list()).toEqual([mine]);
    expect(Buffer.from(await other.readBytes(mine.id)).toString()).toBe('mine');
  });

  it('lists deleted ids and reads current content with the entry it is of', async () => {
    const lake = await openLake();
    const kept = await lake.store({ name: 'kept.txt', dataType: 'documentation', content: 'one' });
    const gone = await lake.store({ name: 'gone.txt', dataType: 'documentation', content: 'bye' });
    await lake.delete(gone.id);
    expect([...(await lake.transfer.deletedIds())]).toEqual([gone.id]);
    await lake.update(kept.id, { content: 'two' });
    const current = await lake.transfer.readCurrent(kept.id);
    expect(Buffer.from(current.bytes).toString()).toBe('two');
    expect(current.entry).toEqual(await lake.getEntry(kept.id));
  });
});
