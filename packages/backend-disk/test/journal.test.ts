import { mkdir, readdir, readFile, stat, truncate, utimes, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import { PutMode } from '@datalake/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DiskBackend, type DiskFs, INTERNAL_FOLDER } from '../src/index.js';
import { journalFileName } from '../src/journal/journal.js';
import { decodeRecords, encodeRecord, type JournalRecord } from '../src/journal/record.js';
import { type JournalRepair, recoverJournals } from '../src/journal/recover.js';
import { deadPid, nodeFs, readText, tempRoot, text } from './helpers.js';

const recordArb: fc.Arbitrary<JournalRecord> = fc.oneof(
  fc.record({
    op: fc.constant('put' as const),
    key: fc.string({ minLength: 1 }),
    stamp: fc.bigInt({ min: 0n, max: 2n ** 60n }).map(String),
    body: fc.uint8Array({ maxLength: 64 }),
    create: fc.constant(true),
  }),
  fc.record({
    op: fc.constant('put' as const),
    key: fc.string({ minLength: 1 }),
    stamp: fc.bigInt({ min: 0n, max: 2n ** 60n }).map(String),
    body: fc.uint8Array({ maxLength: 64 }),
  }),
  fc.record({
    op: fc.constantFrom('delete' as const, 'cancel' as const),
    key: fc.string({ minLength: 1 }),
    stamp: fc.bigInt({ min: 0n, max: 2n ** 60n }).map(String),
  }),
);

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.byteLength, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.byteLength;
  }
  return out;
}

describe('journal records', () => {
  it('read back whole, and a torn or damaged tail ends the journal at the last whole record (property)', () => {
    fc.assert(
      fc.property(fc.array(recordArb, { maxLength: 12 }), fc.nat(), fc.nat(), (records, cut, flip) => {
        const encoded = records.map(encodeRecord);
        const file = concat([...encoded, new Uint8Array(64)]);
        expect(decodeRecords(file)).toEqual(records);
        // Cut anywhere: the records wholly before the cut, no more.
        const at = cut % (file.byteLength + 1);
        let whole = 0;
        for (let end = 0, i = 0; i < encoded.length; i++) {
          end += (encoded[i] as Uint8Array).byteLength;
          if (end <= at) whole = i + 1;
        }
        expect(decodeRecords(file.slice(0, at))).toEqual(records.slice(0, whole));
        // One byte changed inside a record: that record and those after it are not read.
        const contentBytes = file.byteLength - 64;
        if (contentBytes === 0) return;
        const damaged = file.slice();
        const position = flip % contentBytes;
        damaged[position] = (damaged[position] as number) ^ 0x5a;
        let hit = 0;
        for (let end = 0; hit < encoded.length; hit++) {
          end += (encoded[hit] as Uint8Array).byteLength;
          if (position < end) break;
        }
        expect(decodeRecords(damaged)).toEqual(records.slice(0, hit));
      }),
    );
  });
});

/** Node's file system with fdatasync calls counted. */
function countingFs(): { fs: DiskFs; datasyncs: () => number } {
  const inner = nodeFs();
  let count = 0;
  return {
    fs: {
      ...inner,
      async open(file, flags) {
        const handle = await inner.open(file, flags);
        return Object.assign(Object.create(handle) as typeof handle, {
          datasync: () => {
            count++;
            return handle.datasync();
          },
        });
      },
    },
    datasyncs: () => count,
  };
}

describe('the write-ahead journal', () => {
  it('makes concurrent durable writes durable with shared flushes (group commit)', async () => {
    const { fs, datasyncs } = countingFs();
    const disk = new DiskBackend({ root: await tempRoot(), fs });
    await disk.put('warm-up', text('x'));
    const before = datasyncs();
    await Promise.all(
      Array.from({ length: 32 }, (_, i) => disk.put(`k/${i}`, text(`value ${i}`), { mode: PutMode.create })),
    );
    expect(datasyncs() - before).toBeLessThan(32);
    for (let i = 0; i < 32; i++) expect(await readText(disk, `k/${i}`)).toBe(`value ${i}`);
    await disk.close();
  });

  it('checkpoints at close: the journal is removed and the objects stay', async () => {
    const root = await tempRoot();
    const disk = new DiskBackend({ root });
    await disk.put('a/b', text('kept'));
    await disk.put('a/c', text('gone'));
    await disk.delete('a/c');
    await disk.close();
    expect(await readdir(path.join(root, INTERNAL_FOLDER, 'journal'))).toEqual([]);
    const again = new DiskBackend({ root });
    expect(await readText(again, 'a/b')).toBe('kept');
    expect(await readText(again, 'a/c')).toBeNull();
  });
});

describe('recovery of a dead writer’s journal', () => {
  /** A started backend on a fresh root, the journal folder, and a journal of a dead writer holding `records`. */
  async function setup(records: JournalRecord[]) {
    const root = await tempRoot();
    const disk = new DiskBackend({ root });
    await disk.head('start'); // Runs the backend's own start-up recovery before the journal exists.
    const folder = path.join(root, INTERNAL_FOLDER, 'journal');
    await mkdir(folder, { recursive: true });
    const name = journalFileName({ host: hostname(), pid: deadPid() });
    await writeFile(path.join(folder, name), concat([...records.map(encodeRecord), new Uint8Array(4096)]));
    // The repair the disk adapter behind the front would run at its next start.
    const adapter = (disk as unknown as { adapter: { journalRepair(): JournalRepair } }).adapter;
    const repair = adapter.journalRepair();
    const file = (key: string) => path.join(root, ...key.split('/'));
    return { root, disk, folder, name, repair, file };
  }

  const micros = (ms: number) => BigInt(ms) * 1000n;

  it('after a restart, replays it: lost and torn objects come back, later writes and cancelled creates are respected', async () => {
    // Whole seconds: set with utimes, they read back exactly.
    const now = Math.floor(Date.now() / 1000) * 1000 - 60_000;
    const stamp = micros(now).toString();
    const body = (value: string) => new TextEncoder().encode(value);
    const { disk, folder, name, repair, file } = await setup([
      { op: 'put', key: 'lost/one', stamp, body: body('lost one') },
      { op: 'put', key: 'torn/one', stamp, body: body('torn one') },
      { op: 'put', key: 'later/one', stamp, body: body('older write') },
      { op: 'put', key: 'cancelled/one', stamp, body: body('never created') },
      { op: 'cancel', key: 'cancelled/one', stamp },
      { op: 'put', key: 'deleted/one', stamp, body: body('deleted') },
      // A create that failed on an older object, its cancel record lost with the crash.
      { op: 'put', key: 'blocked/one', stamp, body: body('failed create'), create: true },
      // A create whose own file was torn.
      { op: 'put', key: 'created/one', stamp, body: body('created'), create: true },
      { op: 'delete', key: 'deleted/one', stamp: micros(now + 1).toString() },
    ]);
    // torn: the file is there but its data was lost (stamped with the write's own time).
    await mkdir(path.dirname(file('torn/one')), { recursive: true });
    await writeFile(file('torn/one'), 'torn one');
    await truncate(file('torn/one'), 0);
    await utimes(file('torn/one'), now / 1000, now / 1000);
    // later: another writer replaced it after the journal's write.
    await disk.put('later/one', text('newer write'));
    await utimes(file('later/one'), (now + 5000) / 1000, (now + 5000) / 1000);
    await disk.put('blocked/one', text('was there first'));
    await utimes(file('blocked/one'), (now - 5000) / 1000, (now - 5000) / 1000);
    await disk.put('created/one', text(''));
    await utimes(file('created/one'), now / 1000, now / 1000);
    // deleted: the delete was lost, the old object came back.
    await disk.put('deleted/one', text('deleted'));
    await utimes(file('deleted/one'), now / 1000, now / 1000);

    const report = await recoverJournals(nodeFs(), folder, [name], { ...repair, restartedSince: () => true });
    expect(report).toEqual({ journals: 1, replayed: 7 });
    expect(await readText(disk, 'blocked/one')).toBe('was there first');
    expect(await readText(disk, 'created/one')).toBe('created');
    expect(await readText(disk, 'lost/one')).toBe('lost one');
    expect(await readText(disk, 'torn/one')).toBe('torn one');
    expect(await readText(disk, 'later/one')).toBe('newer write');
    expect(await readText(disk, 'cancelled/one')).toBeNull();
    expect(await readText(disk, 'deleted/one')).toBeNull();
    expect(await readdir(folder)).not.toContain(name);
  });

  it('without a restart, only makes the named objects durable and removes it', async () => {
    const { disk, folder, name, repair, file } = await setup([
      { op: 'put', key: 'a/one', stamp: micros(Date.now()).toString(), body: new Uint8Array([1]) },
    ]);
    await disk.put('a/one', text('as the writer left it'));
    const before = await stat(file('a/one'));
    const report = await recoverJournals(nodeFs(), folder, [name], {
      ...repair,
      restartedSince: () => false,
    });
    expect(report).toEqual({ journals: 1, replayed: 0 });
    expect(await readFile(file('a/one'), 'utf8')).toBe('as the writer left it');
    expect((await stat(file('a/one'))).mtimeMs).toBe(before.mtimeMs);
    expect(await readdir(folder)).not.toContain(name);
  });

  it('leaves the journal of a live writer alone', async () => {
    const { folder, repair } = await setup([]);
    const live = journalFileName();
    await writeFile(path.join(folder, live), new Uint8Array(16));
    const report = await recoverJournals(nodeFs(), folder, [live], { ...repair, restartedSince: () => true });
    expect(report).toEqual({ journals: 0, replayed: 0 });
    expect(await readdir(folder)).toContain(live);
  });
});
