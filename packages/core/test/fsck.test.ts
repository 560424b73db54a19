import { spawnSync } from 'node:child_process';
import { hostname } from 'node:os';
import type { Entry, StorageBackend } from '@datalake/model';
import { DataType, ValidationError } from '@datalake/model';
import { describe, expect, it } from 'vitest';
import {
  bytesAt,
  editRecord,
  kindsOf,
  readJsonObject,
  setField,
} from '../src/contract/lake-checks/damaged-records.js';
import { DataLake, type DataLakeOptions } from '../src/lake/data-lake.js';
import type { FsckProblem, FsckReport } from '../src/lake/fsck.js';
import { claimKey, metadataKey, QUARANTINE_PREFIX } from '../src/lake/paths.js';
import type { QuarantineNote } from '../src/lake/quarantine.js';
import { MapBackend } from './support/map-backend.js';

const encoder = new TextEncoder();

function open(backend: StorageBackend, options: DataLakeOptions = {}): Promise<DataLake> {
  return DataLake.open(backend, { keepBackendOpen: true, onNotice: () => {}, ...options });
}

function deadWriter() {
  const pid = spawnSync(process.execPath, ['-e', '0']).pid as number;
  return { host: hostname(), pid, instance: 'gone', at: new Date().toISOString() };
}

async function filled(): Promise<{ backend: MapBackend; entries: Entry[] }> {
  const backend = new MapBackend();
  const lake = await open(backend);
  const entries = [
    await lake.store({ name: 'a.sql', content: 'create table a (x int);', dataType: DataType.SCHEMA }),
    await lake.store({
      name: 'b.bas',
      content: 'Sub B()\nEnd Sub\n',
      dataType: DataType.MACRO,
      subpath: 'vba',
    }),
    await lake.store({ name: 'c.log', content: 'INFO started', dataType: DataType.LOGS }),
  ];
  await lake.close();
  return { backend, entries };
}

function only(report: FsckReport): Array<[FsckProblem['kind'], string]> {
  return report.problems.map((problem) => [problem.kind, problem.key]);
}

/** Runs fsck, fsck --repair and fsck again on a fresh instance each time; returns the three reports. */
async function checkRepairCheck(backend: StorageBackend): Promise<[FsckReport, FsckReport, FsckReport]> {
  const reports: FsckReport[] = [];
  for (const repair of [false, true, false]) {
    const lake = await open(backend);
    reports.push(await lake.fsck({ repair }));
    await lake.close();
  }
  return reports as [FsckReport, FsckReport, FsckReport];
}

describe('fsck', () => {
  it('finds nothing in a healthy lake, and says what it checked', async () => {
    const { backend } = await filled();
    const lake = await open(backend);
    const report = await lake.fsck();
    expect(report).toMatchObject({ ok: true, repair: false, problems: [], remaining: 0, inProgress: 0 });
    expect(report.checked).toMatchObject({
      records: 3,
      entries: 3,
      claims: 3,
      contentObjects: 3,
      searchIndex: true,
    });
    expect(report.checked.contentBytesVerified).toBe(23 + 16 + 12);
    expect(report.quarantine).toBeUndefined();
    expect(JSON.parse(JSON.stringify(report))).toEqual(report); // plain JSON, for any transport
    await lake.close();
  });

  it('quarantines an invalid record with a note, and the content and claim it left behind', async () => {
    const { backend, entries } = await filled();
    const victim = entries[0] as Entry;
    await editRecord(backend, victim, setField('filePath', '../../etc/passwd'));
    const recordBytes = await bytesAt(backend, metadataKey(victim.id));
    const [found, repaired, after] = await checkRepairCheck(backend);
    expect(only(found)).toEqual([
      ['invalid-record', metadataKey(victim.id)],
      ['stale-claim', claimKey(victim.filePath)],
      ['orphaned-content', victim.filePath],
    ]);
    expect(found.problems[0]?.reason).toContain('"../../etc/passwd"');
    expect(found.problems[0]?.id).toBe(victim.id);
    expect(found.ok).toBe(false);
    expect(repaired.ok).toBe(true);
    expect(repaired.problems.map((problem) => problem.repaired?.action)).toEqual([
      'quarantined',
      'released',
      'quarantined',
    ]);
    const movedRecord = repaired.problems[0]?.repaired?.to as string;
    expect(movedRecord).toBe(`${repaired.quarantine}${metadataKey(victim.id)}`);
    expect(await bytesAt(backend, movedRecord)).toEqual(recordBytes);
    expect(Buffer.from(await bytesAt(backend, `${repaired.quarantine}${victim.filePath}`)).toString()).toBe(
      'create table a (x int);',
    );
    const notes = (await backend.list(`${repaired.quarantine}.reasons/`)).objects;
    expect(notes).toHaveLength(2);
    const note = (await readJsonObject(
      backend,
      (notes[0] as { key: string }).key,
    )) as unknown as QuarantineNote;
    expect([metadataKey(victim.id), victim.filePath]).toContain(note.key);
    expect(note.reason.length).toBeGreaterThan(0);
    expect(after).toMatchObject({ ok: true, problems: [] });
    expect(after.checked.entries).toBe(2);
  });

  it('reports missing and damaged content as not repairable, and leaves the entries', async () => {
    const { backend, entries } = await filled();
    const [missing, damaged, short] = entries as [Entry, Entry, Entry];
    await backend.delete(missing.filePath);
    await backend.put(damaged.filePath, encoder.encode('Sub X()\nEnd Sub\n')); // same size, other bytes
    await backend.put(short.filePath, encoder.encode('INFO'));
    const [found, repaired, after] = await checkRepairCheck(backend);
    const expected = [
      ['missing-content', missing.filePath],
      ['content-mismatch', damaged.filePath],
      ['content-mismatch', short.filePath],
    ];
    for (const report of [found, repaired, after]) {
      expect(only(report).sort()).toEqual([...expected].sort());
      expect(report.ok).toBe(false);
      expect(report.problems.every((problem) => !problem.repairable && !problem.repaired)).toBe(true);
    }
    expect(found.problems.find((problem) => problem.kind === 'missing-content')?.reason).toMatch(
      /re-ingest the file or restore it from a backup/,
    );
    expect(found.problems.find((problem) => problem.key === short.filePath)?.reason).toMatch(/4 bytes/);
    const lake = await open(backend);
    expect((await lake.list()).length).toBe(3);
    const quick = await lake.fsck({ verifyContent: 'size' });
    expect(only(quick).sort()).toEqual(
      [
        ['missing-content', missing.filePath],
        ['content-mismatch', short.filePath],
      ].sort(),
    );
    expect(quick.checked.contentBytesVerified).toBe(0);
    await lake.close();
  });

  it('quarantines content no entry owns, but not content a live store is writing', async () => {
    const { backend } = await filled();
    await backend.put('other/left/behind.bin', Uint8Array.from([0, 1, 2]));
    await backend.put('logs/in-flight.log', encoder.encode('being stored'));
    const live = { host: hostname(), pid: process.pid, instance: 'live', at: new Date().toISOString() };
    const claim = { format: 1, id: 'not-yet-committed', filePath: 'logs/in-flight.log', writer: live };
    await backend.put(claimKey('logs/in-flight.log'), encoder.encode(JSON.stringify(claim)));
    const [found, repaired, after] = await checkRepairCheck(backend);
    expect(only(found)).toEqual([['orphaned-content', 'other/left/behind.bin']]);
    expect(found.inProgress).toBe(2); // the claim and the content of the store in progress
    expect(repaired.problems[0]?.repaired?.action).toBe('quarantined');
    expect(after.ok).toBe(true);
    expect(await backend.head('logs/in-flight.log')).not.toBeNull();
    expect(await backend.head('other/left/behind.bin')).toBeNull();
  });

  it('releases a claim whose writer is gone, quarantines an invalid one, recreates a missing one', async () => {
    const { backend, entries } = await filled();
    const stale = { format: 1, id: 'never-committed', filePath: 'other/x.bin', writer: deadWriter() };
    await backend.put(claimKey('other/x.bin'), encoder.encode(JSON.stringify(stale)));
    const wrongKey = { ...stale, filePath: 'other/y.bin' };
    await backend.put(claimKey('other/z.bin'), encoder.encode(JSON.stringify(wrongKey)));
    await backend.put(`${claimKey('other/w.bin').slice(0, -1)}`, encoder.encode('{}')); // not a claim key
    const unclaimed = entries[1] as Entry;
    await backend.delete(claimKey(unclaimed.filePath));
    const [found, repaired, after] = await checkRepairCheck(backend);
    expect(kindsOf(found)).toEqual(['invalid-claim', 'missing-claim', 'stale-claim', 'stray-object']);
    expect(repaired.problems.map((problem) => [problem.kind, problem.repaired?.action]).sort()).toEqual([
      ['invalid-claim', 'quarantined'],
      ['missing-claim', 'recreated'],
      ['stale-claim', 'released'],
      ['stray-object', 'quarantined'],
    ]);
    expect(after.ok).toBe(true);
    expect((await readJsonObject(backend, claimKey(unclaimed.filePath))).id).toBe(unclaimed.id);
    const lake = await open(backend);
    await expect(
      lake.store({ name: 'b.bas', content: 'x', dataType: DataType.MACRO, subpath: 'vba' }),
    ).rejects.toThrow(/already taken/);
    await lake.close();
  });

  it('quarantines a copied record that names another entry’s path, never that entry', async () => {
    const { backend, entries } = await filled();
    const owner = entries[2] as Entry;
    const record = await readJsonObject(backend, metadataKey(owner.id));
    const copy = { ...record, entry: { ...(record.entry as object), id: 'copy-of-c' } };
    await backend.put(metadataKey('copy-of-c'), encoder.encode(JSON.stringify(copy)));
    await backend.put('.metadata/notes.txt', encoder.encode('someone left notes here'));
    const [found, repaired, after] = await checkRepairCheck(backend);
    expect(only(found)).toEqual([
      ['duplicate-record', metadataKey('copy-of-c')],
      ['stray-object', '.metadata/notes.txt'],
    ]);
    expect(repaired.ok).toBe(true);
    expect(after.ok).toBe(true);
    const lake = await open(backend);
    expect((await lake.retrieve(owner.id)).content).toBe('INFO started');
    await lake.close();
  });

  it('reports writes the lake finished for a gone writer, and leaves live ones alone', async () => {
    const { backend, entries } = await filled();
    const [updated, deleted, busy] = entries as [Entry, Entry, Entry];
    const withField = async (entry: Entry, field: string, value: unknown) => {
      const record = await readJsonObject(backend, metadataKey(entry.id));
      await backend.put(metadataKey(entry.id), encoder.encode(JSON.stringify({ ...record, [field]: value })));
    };
    const gone = deadWriter();
    await withField(updated, 'pending', { writer: gone, metadata: { v: 2 }, updatedAt: gone.at });
    await withField(deleted, 'deleted', gone);
    const live = { host: hostname(), pid: process.pid, instance: 'live', at: new Date().toISOString() };
    await withField(busy, 'pending', { writer: live, metadata: { v: 2 }, updatedAt: live.at });
    const lake = await open(backend);
    const report = await lake.fsck();
    expect(only(report).sort()).toEqual(
      [
        ['unfinished-delete', metadataKey(deleted.id)],
        ['unfinished-update', metadataKey(updated.id)],
      ].sort(),
    );
    expect(report.problems.every((problem) => problem.repaired?.action === 'finished')).toBe(true);
    expect(report.ok).toBe(true);
    expect(report.inProgress).toBe(1);
    expect((await lake.fsck()).problems).toEqual([]);
    await lake.close();
  });

  it('rebuilds a search index with a corrupt segment', async () => {
    const { backend } = await filled();
    const lake = await open(backend);
    const [segment] = (await backend.list('.index/')).objects;
    const bytes = await bytesAt(backend, segment?.key as string);
    bytes[bytes.length - 1] = (bytes[bytes.length - 1] as number) ^ 0xff;
    await backend.put(segment?.key as string, bytes);
    const found = await lake.fsck();
    expect(only(found)).toEqual([['search-index', '.index/']]);
    expect(found.problems[0]?.reason).toMatch(/1 of 1 segments are corrupt/);
    const repaired = await lake.fsck({ repair: true });
    expect(repaired.problems[0]?.repaired?.action).toBe('reindexed');
    expect((await lake.fsck()).ok).toBe(true);
    await lake.close();
    const scan = await open(backend, { search: 'scan' });
    expect((await scan.fsck()).checked.searchIndex).toBe(false);
    await scan.close();
  });

  it('never puts anything back where the lake shows it, and never deletes what it quarantines', async () => {
    const { backend, entries } = await filled();
    await editRecord(backend, entries[0] as Entry, setField('size', 'big'));
    const lake = await open(backend);
    const report = await lake.fsck({ repair: true });
    const quarantined = (await backend.list(QUARANTINE_PREFIX)).objects.map((object) => object.key);
    expect(quarantined.length).toBe(4); // record and content, each with its note
    expect((await lake.list()).map((entry) => entry.id)).toEqual([
      (entries[2] as Entry).id,
      (entries[1] as Entry).id,
    ]);
    expect((await lake.search('create table')).hits).toEqual([]);
    expect((await lake.getStats()).totalEntries).toBe(2);
    expect(report.remaining).toBe(0);
    await lake.close();
  });

  it('rejects bad options', async () => {
    const lake = await open(new MapBackend());
    await expect(lake.fsck({ concurrency: 0 })).rejects.toBeInstanceOf(ValidationError);
    await expect(lake.fsck({ verifyContent: 'all' as never })).rejects.toBeInstanceOf(ValidationError);
    await lake.close();
  });
});
