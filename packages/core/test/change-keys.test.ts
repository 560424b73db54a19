import type { StorageBackend } from '@datalake/model';
import { DataType } from '@datalake/model';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { noteChangedKeys } from '../src/lake/change-keys.js';
import { CHANGES_PREFIX, decodeNoteContent, encodeNote } from '../src/lake/change-notes.js';
import { DataLake } from '../src/lake/data-lake.js';
import { MapBackend } from './support/map-backend.js';

const TOKENS = '.auth/tokens/';

/** The backend as storage other processes share (a MapBackend says it is not). */
function shared(backend: StorageBackend): StorageBackend {
  return new Proxy(backend, {
    get(target, property) {
      if (property === 'capabilities') return { ...target.capabilities, sharedAcrossProcesses: true };
      const value = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

async function open(backend: StorageBackend): Promise<DataLake> {
  return DataLake.open(backend, { keepBackendOpen: true, onNotice: () => {}, changeJournal: {} });
}

/** Follows `prefix` on `lake`, collecting what each refresh hands over. */
function follow(lake: DataLake, prefix: string): Array<string[] | undefined> {
  const calls: Array<string[] | undefined> = [];
  lake.changeFeed?.followKeys(prefix, async (keys) => {
    calls.push(keys);
  });
  return calls;
}

describe('bookkeeping changes through the change journal', () => {
  it('a key noted by one instance reaches the followers of another at its refresh, once', async () => {
    const backend = new MapBackend();
    const a = await open(backend);
    const b = await open(backend);
    const calls = follow(b, TOKENS);
    const others = follow(b, '.other/');
    await a.changeFeed?.noteKeyChange(`${TOKENS}0123456789abcdef.json`);
    await a.store({ name: 'x.txt', content: 'x', dataType: DataType.OTHER });
    await b.refresh();
    expect(calls).toEqual([[`${TOKENS}0123456789abcdef.json`]]);
    expect(others).toEqual([]);
    expect((await b.list()).map((entry) => entry.filePath)).toEqual(['other/x.txt']);
    await b.refresh();
    expect(calls).toHaveLength(1);
    await Promise.all([a.close(), b.close()]);
  });

  it('a process that does not open the lake notes keys too (noteChangedKeys)', async () => {
    const backend = shared(new MapBackend());
    const b = await open(backend);
    const calls = follow(b, TOKENS);
    await noteChangedKeys(backend, [`${TOKENS}aaaaaaaaaaaaaaaa.json`]);
    await b.refresh();
    expect(calls).toEqual([[`${TOKENS}aaaaaaaaaaaaaaaa.json`]]);
    await b.close();
  });

  it('writes nothing on storage no other process shares', async () => {
    const backend = new MapBackend();
    await noteChangedKeys(backend, [`${TOKENS}aaaaaaaaaaaaaaaa.json`]);
    expect((await backend.list(CHANGES_PREFIX)).objects).toEqual([]);
  });

  it('a failing follower fails the refresh, and the next refresh hands the keys again', async () => {
    const backend = new MapBackend();
    const a = await open(backend);
    const b = await open(backend);
    const seen: string[][] = [];
    let fail = true;
    b.changeFeed?.followKeys(TOKENS, async (keys) => {
      if (fail) throw new Error('storage hiccup');
      if (keys) seen.push(keys);
    });
    await a.changeFeed?.noteKeyChange(`${TOKENS}bbbbbbbbbbbbbbbb.json`);
    await expect(b.refresh()).rejects.toThrow('storage hiccup');
    fail = false;
    await b.refresh();
    expect(seen).toEqual([[`${TOKENS}bbbbbbbbbbbbbbbb.json`]]);
    await Promise.all([a.close(), b.close()]);
  });

  it('a refresh that must reload everything tells followers that anything may have changed', async () => {
    const backend = new MapBackend();
    let time = Date.now();
    const b = await DataLake.open(backend, {
      keepBackendOpen: true,
      onNotice: () => {},
      changeJournal: { now: () => time, fullRefreshMs: 60_000 },
    });
    const calls = follow(b, TOKENS);
    time += 60_000;
    await b.refresh();
    expect(calls).toEqual([undefined]);
    await b.close();
  });

  it('refuses to note anything but bookkeeping keys', async () => {
    const backend = new MapBackend();
    const a = await open(backend);
    for (const key of ['schema/x.sql', `${CHANGES_PREFIX}x`, '', '../.auth/x'])
      expect(() => a.changeFeed?.noteKeyChange(key)).toThrow(expect.objectContaining({ code: 'VALIDATION' }));
    await expect(noteChangedKeys(backend, ['schema/x.sql'])).rejects.toMatchObject({ code: 'VALIDATION' });
    await a.close();
  });

  it('notes round-trip their ids and keys, and notes without keys stay readable (property)', () => {
    const id = fc.stringMatching(/^[A-Za-z0-9_-]{1,40}$/);
    const key = fc.stringMatching(/^[a-z0-9/]{1,40}$/).map((rest) => `${TOKENS}${rest}`);
    fc.assert(
      fc.property(fc.array(id), fc.array(key), (ids, keys) => {
        expect(decodeNoteContent(encodeNote(ids, keys))).toEqual({ ids, keys });
      }),
    );
    const older = new TextEncoder().encode(JSON.stringify({ format: 1, ids: ['a'] }));
    expect(decodeNoteContent(older)).toEqual({ ids: ['a'], keys: [] });
    const bad = new TextEncoder().encode(JSON.stringify({ format: 1, ids: [], keys: ['schema/x'] }));
    expect(decodeNoteContent(bad)).toBeUndefined();
  });
});
