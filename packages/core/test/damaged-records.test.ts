import { spawnSync } from 'node:child_process';
import { hostname } from 'node:os';
import type { Entry, StorageBackend } from '@datalake/model';
import { CorruptDataError, DataType, pathProblem } from '@datalake/model';
import { describe, expect, it } from 'vitest';
import {
  bytesAt,
  editRecord,
  readJsonObject,
  recordingKeys,
  setField,
} from '../src/contract/lake-checks/damaged-records.js';
import { DataLake } from '../src/lake/data-lake.js';
import { claimKey, metadataKey, SNAPSHOT_KEY } from '../src/lake/paths.js';
import { MAX_RECORD_BYTES } from '../src/lake/record.js';
import { MapBackend } from './support/map-backend.js';

const encoder = new TextEncoder();

async function open(backend: StorageBackend, notices: string[] = []): Promise<DataLake> {
  return DataLake.open(backend, { keepBackendOpen: true, onNotice: (message) => notices.push(message) });
}

/** A lake with one entry to damage and one that must stay untouched. */
async function lakeWithVictim(): Promise<{ backend: MapBackend; victim: Entry; kept: Entry }> {
  const backend = new MapBackend();
  const lake = await open(backend);
  const victim = await lake.store({ name: 'victim.sql', content: 'select 1;', dataType: DataType.SCHEMA });
  const kept = await lake.store({ name: 'kept.md', content: 'kept text', dataType: DataType.DOCUMENTATION });
  await lake.close();
  return { backend, victim, kept };
}

function deadPid(): number {
  return spawnSync(process.execPath, ['-e', '0']).pid as number;
}

/** Opens the damaged lake and checks it works and names `key` in exactly one notice. */
async function expectLeftOut(
  backend: StorageBackend,
  key: string,
  kept: Entry,
  reason: RegExp,
): Promise<DataLake> {
  const notices: string[] = [];
  const recording = recordingKeys(backend);
  const lake = await open(recording.backend, notices);
  const about = notices.filter((notice) => notice.includes(JSON.stringify(key)));
  expect(about, JSON.stringify(notices)).toHaveLength(1);
  expect(about[0]).toMatch(reason);
  expect((await lake.list()).map((entry) => entry.id)).toEqual([kept.id]);
  expect((await lake.getStats()).totalEntries).toBe(1);
  expect((await lake.retrieve(kept.id)).content).toBe('kept text');
  expect((await lake.search('kept')).hits.map((hit) => hit.entry.id)).toEqual([kept.id]);
  const other = await lake.store({ name: 'other.md', content: 'other', dataType: DataType.DOCUMENTATION });
  await lake.update(other.id, { content: 'changed' });
  expect(await lake.delete(other.id)).toBe(true);
  for (const asked of recording.keys) expect(pathProblem(asked), asked).toBeUndefined();
  return lake;
}

describe('opening a lake with a damaged record', () => {
  const cases: Array<[string, (entry: Record<string, unknown>) => void, RegExp]> = [
    ['a traversal filePath', setField('filePath', '../../../etc/passwd'), /filePath "\.\.\//],
    ['an absolute filePath', setField('filePath', '/etc/passwd'), /filePath "\/etc\/passwd"/],
    ['a filePath of another folder', setField('filePath', 'schema/elsewhere/victim.sql'), /filePath/],
    ['a name with a slash', setField('name', 'a/victim.sql'), /name "a\/victim.sql"/],
    ['a traversal subpath', setField('subpath', '..'), /filePath|subpath/],
    ['an unknown data type', setField('dataType', 'spreadsheet'), /dataType "spreadsheet"/],
    ['a size of the wrong type', setField('size', '9'), /size "9"/],
    ['a negative size', setField('size', -1), /size -1/],
    ['a short sha256', setField('sha256', 'abc'), /sha256 "abc"/],
    ['metadata that is an array', setField('metadata', []), /metadata/],
    [
      'no createdAt',
      (entry) => {
        delete entry.createdAt;
      },
      /createdAt missing/,
    ],
    ['an id that is not its key', setField('id', 'someone-else'), /id "someone-else" does not match/],
    ['a control character in the name', setField('name', 'a\u001b[31m.sql'), /name/],
  ];
  for (const [what, edit, reason] of cases) {
    it(`leaves out a record with ${what}, says so, and keeps the rest working`, async () => {
      const { backend, victim, kept } = await lakeWithVictim();
      await editRecord(backend, victim, edit);
      const lake = await expectLeftOut(backend, metadataKey(victim.id), kept, reason);
      await expect(lake.getEntry(victim.id)).rejects.toBeInstanceOf(CorruptDataError);
      await expect(lake.delete(victim.id)).rejects.toBeInstanceOf(CorruptDataError);
      expect(await backend.head(victim.filePath)).not.toBeNull(); // nothing of it was touched
      await lake.close();
    });
  }

  it('leaves out a record that is not JSON, not an object, or too large to be a record', async () => {
    for (const bytes of [
      encoder.encode('{"format":1,'),
      encoder.encode('[1,2]'),
      encoder.encode('null'),
      Uint8Array.from([0xff, 0xfe, 0x7b]),
      new Uint8Array(MAX_RECORD_BYTES + 1).fill(0x20),
    ]) {
      const { backend, victim, kept } = await lakeWithVictim();
      await backend.put(metadataKey(victim.id), bytes);
      await (await expectLeftOut(backend, metadataKey(victim.id), kept, /left out/)).close();
    }
  });

  it('leaves out a record moved to another id’s key, and one whose pending update or deletion mark is malformed', async () => {
    const moved = await lakeWithVictim();
    const bytes = await bytesAt(moved.backend, metadataKey(moved.victim.id));
    await moved.backend.put(metadataKey('renamed'), bytes);
    await moved.backend.delete(metadataKey(moved.victim.id));
    await (
      await expectLeftOut(moved.backend, metadataKey('renamed'), moved.kept, /does not match its key/)
    ).close();

    for (const field of ['pending', 'deleted']) {
      const { backend, victim, kept } = await lakeWithVictim();
      const record = await readJsonObject(backend, metadataKey(victim.id));
      await backend.put(
        metadataKey(victim.id),
        encoder.encode(JSON.stringify({ ...record, [field]: { at: 3 } })),
      );
      await (await expectLeftOut(backend, metadataKey(victim.id), kept, /writer|deletion/)).close();
    }
  });

  it('reports a bad record once per open, and again only when it changes', async () => {
    const { backend, victim } = await lakeWithVictim();
    await editRecord(backend, victim, setField('filePath', '../x'));
    const notices: string[] = [];
    const lake = await open(backend, notices);
    await lake.refresh();
    await lake.refresh();
    expect(notices.filter((notice) => notice.includes('left out'))).toHaveLength(1);
    await editRecord(backend, victim, setField('filePath', '../y'));
    await lake.refresh();
    expect(notices.filter((notice) => notice.includes('left out'))).toHaveLength(2);
    await lake.close();
    const again: string[] = [];
    await (await open(backend, again)).close();
    expect(again.filter((notice) => notice.includes('left out'))).toHaveLength(1);
  });

  it('says how many more there are past the first fifty, instead of a line each', async () => {
    const backend = new MapBackend();
    for (let i = 0; i < 60; i++) await backend.put(metadataKey(`bad-${i}`), encoder.encode('{'));
    const notices: string[] = [];
    await (await open(backend, notices)).close();
    expect(notices.filter((notice) => notice.startsWith('left out entry record'))).toHaveLength(50);
    expect(notices.some((notice) => notice.includes('left out 10 more'))).toBe(true);
  });

  it('does not trust a catalog snapshot that holds a damaged record', async () => {
    const { backend, victim, kept } = await lakeWithVictim();
    const snapshot = await readJsonObject(backend, SNAPSHOT_KEY);
    const items = snapshot.items as Array<[string, { entry: Record<string, unknown> }]>;
    for (const [, record] of items)
      if (record.entry.id === victim.id) record.entry.filePath = '../../outside.sql';
    await backend.put(SNAPSHOT_KEY, encoder.encode(JSON.stringify(snapshot)));
    const recording = recordingKeys(backend);
    const lake = await open(recording.backend);
    expect((await lake.list()).map((entry) => entry.filePath).sort()).toEqual(
      [kept.filePath, victim.filePath].sort(),
    );
    expect((await lake.retrieve(victim.id)).content).toBe('select 1;');
    for (const asked of recording.keys) expect(pathProblem(asked), asked).toBeUndefined();
    await lake.close();
  });
});

describe('two records naming one path', () => {
  /** A copy of `entry`'s record under a new id, as a careless hand would make it. */
  async function copyRecord(
    backend: StorageBackend,
    entry: Entry,
    id: string,
    createdAt?: string,
  ): Promise<void> {
    const record = await readJsonObject(backend, metadataKey(entry.id));
    const copy: Record<string, unknown> = { ...(record.entry as Record<string, unknown>), id };
    if (createdAt) copy.createdAt = createdAt;
    await backend.put(metadataKey(id), encoder.encode(JSON.stringify({ ...record, entry: copy })));
  }

  it('keeps the entry the path claim names, even when the copy looks older', async () => {
    const { backend, victim } = await lakeWithVictim();
    await copyRecord(backend, victim, 'aaa-copy', '2000-01-01T00:00:00.000Z');
    const notices: string[] = [];
    const lake = await open(backend, notices);
    expect((await lake.getEntryByPath(victim.filePath)).id).toBe(victim.id);
    expect((await lake.list()).filter((entry) => entry.filePath === victim.filePath)).toHaveLength(1);
    expect(notices.join('\n')).toContain(JSON.stringify(metadataKey('aaa-copy')));
    expect(notices.join('\n')).toContain('the path claim names it');
    await expect(lake.update('aaa-copy', { content: 'overwrite' })).rejects.toBeInstanceOf(CorruptDataError);
    await expect(lake.delete('aaa-copy')).rejects.toBeInstanceOf(CorruptDataError);
    expect((await lake.retrieve(victim.id)).content).toBe('select 1;');
    await lake.close();
  });

  it('keeps the older entry when no claim names either, the same on every open', async () => {
    const { backend, victim } = await lakeWithVictim();
    await copyRecord(backend, victim, 'zzz-copy', '2000-01-01T00:00:00.000Z');
    await backend.delete(claimKey(victim.filePath));
    for (let i = 0; i < 2; i++) {
      const notices: string[] = [];
      const lake = await open(backend, notices);
      expect((await lake.getEntryByPath(victim.filePath)).id).toBe('zzz-copy');
      expect((await lake.list()).filter((entry) => entry.filePath === victim.filePath)).toHaveLength(1);
      expect(notices.join('\n')).toContain(`${JSON.stringify(metadataKey(victim.id))}: its filePath`);
      expect(notices.join('\n')).toContain('(the older entry)');
      await lake.close();
    }
  });

  it('finishing a copied deletion mark leaves the owner’s content and claim alone', async () => {
    const { backend, victim } = await lakeWithVictim();
    const record = await readJsonObject(backend, metadataKey(victim.id));
    const writer = { host: hostname(), pid: deadPid(), instance: 'gone', at: new Date().toISOString() };
    const copy = { ...record, entry: { ...(record.entry as object), id: 'tomb-copy' }, deleted: writer };
    await backend.put(metadataKey('tomb-copy'), encoder.encode(JSON.stringify(copy)));
    const lake = await open(backend);
    expect(await backend.head(metadataKey('tomb-copy'))).toBeNull();
    expect(await backend.head(claimKey(victim.filePath))).not.toBeNull();
    expect((await lake.retrieve(victim.id)).content).toBe('select 1;');
    await lake.close();
  });

  it('sees a newer instance’s entry at a path whose old entry another instance deleted', async () => {
    const backend = new MapBackend();
    const first = await open(backend);
    const old = await first.store({ name: 'x.log', content: 'old', dataType: DataType.LOGS });
    const second = await open(backend);
    await second.delete(old.id);
    const fresh = await second.store({ name: 'x.log', content: 'new', dataType: DataType.LOGS });
    expect((await first.retrieve(fresh.id)).content).toBe('new');
    await first.refresh();
    expect((await first.list()).map((entry) => entry.id)).toEqual([fresh.id]);
    await first.close();
    await second.close();
  });
});
