import type { ListOptions, ListPage, StorageBackend } from '@datalake/model';
import { DataType } from '@datalake/model';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compactJournal } from '../src/lake/change-compactor.js';
import type { ChangeJournalOptions } from '../src/lake/change-journal.js';
import {
  CHANGES_PREFIX,
  decodeNote,
  encodeNote,
  noteKey,
  parseNoteKey,
  stampKey,
} from '../src/lake/change-notes.js';
import { DataLake } from '../src/lake/data-lake.js';
import { METADATA_PREFIX } from '../src/lake/paths.js';
import { MapBackend } from './support/map-backend.js';

/** A MapBackend that counts its list calls by prefix, to show what a refresh reads. */
class CountingBackend extends MapBackend {
  lists = new Map<string, number>();
  override async list(prefix: string, options?: ListOptions): Promise<ListPage> {
    this.lists.set(prefix, (this.lists.get(prefix) ?? 0) + 1);
    return super.list(prefix, options);
  }
  listsOf(prefix: string): number {
    return this.lists.get(prefix) ?? 0;
  }
}

/** A settable clock for one instance. */
function clock(start = Date.now()) {
  const state = { now: start };
  return { now: () => state.now, advance: (ms: number) => (state.now += ms), state };
}

async function open(
  backend: StorageBackend,
  journal: ChangeJournalOptions | boolean = {},
): Promise<DataLake> {
  return DataLake.open(backend, { keepBackendOpen: true, onNotice: () => {}, changeJournal: journal });
}

async function notes(backend: StorageBackend): Promise<string[]> {
  return (await backend.list(CHANGES_PREFIX, { limit: 1000 })).objects.map((object) => object.key);
}

const paths = async (lake: DataLake) => (await lake.list()).map((entry) => entry.filePath);

describe('change journal', () => {
  it('refresh() picks up another instance’s stores, updates and deletes without listing the records', async () => {
    const backend = new CountingBackend();
    const a = await open(backend);
    const b = await open(backend);
    const kept = await a.store({ name: 'kept.sql', content: 'v1', dataType: DataType.SCHEMA });
    const gone = await a.store({ name: 'gone.sql', content: 'x', dataType: DataType.SCHEMA });
    const listsBefore = backend.listsOf(METADATA_PREFIX);
    await b.refresh();
    expect(await paths(b)).toEqual(['schema/gone.sql', 'schema/kept.sql']);

    await a.update(kept.id, { content: 'v2', metadata: { v: 2 } });
    await a.delete(gone.id);
    await a.store({ name: 'new.json', content: '{}', dataType: DataType.CONFIGURATION });
    await b.refresh();
    expect(await paths(b)).toEqual(['configuration/new.json', 'schema/kept.sql']);
    expect((await b.getEntry(kept.id)).metadata).toEqual({ v: 2 });
    expect(new TextDecoder().decode(await b.readBytes(kept.id))).toBe('v2');
    expect((await b.getStats()).totalEntries).toBe(2);
    expect(backend.listsOf(METADATA_PREFIX)).toBe(listsBefore);
    await Promise.all([a.close(), b.close()]);
  });

  it('a refresh reads only the notes written since the last one (and never its own instance’s)', async () => {
    const backend = new MapBackend();
    const a = await open(backend);
    const b = await open(backend);
    const reads: string[] = [];
    const get = backend.get.bind(backend);
    backend.get = async (key, options) => {
      reads.push(key);
      return get(key, options);
    };
    for (let i = 0; i < 20; i++)
      await a.store({ name: `f${i}.txt`, content: `${i}`, dataType: DataType.OTHER });
    await b.refresh();
    const first = reads.filter((key) => key.startsWith(CHANGES_PREFIX)).length;
    expect(first).toBeGreaterThan(0);
    reads.length = 0;
    await b.refresh();
    expect(reads.filter((key) => key.startsWith(CHANGES_PREFIX) || key.startsWith(METADATA_PREFIX))).toEqual(
      [],
    );
    reads.length = 0;
    await a.refresh();
    expect(reads.filter((key) => key.startsWith(METADATA_PREFIX))).toEqual([]);
    await Promise.all([a.close(), b.close()]);
  });

  it('concurrent writes share notes (group commit), and every id is named', async () => {
    const backend = new MapBackend();
    const a = await open(backend);
    const stored = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        a.store({ name: `c${i}.txt`, content: 'x', dataType: DataType.OTHER }),
      ),
    );
    const keys = await notes(backend);
    expect(keys.length).toBeLessThan(stored.length);
    const named = new Set<string>();
    for (const key of keys) {
      const object = await backend.get(key);
      const bytes = new Uint8Array(await new Response(object?.body as never).arrayBuffer());
      for (const id of decodeNote(bytes) ?? []) named.add(id);
    }
    expect([...named].sort()).toEqual(stored.map((entry) => entry.id).sort());
    await a.close();
  });

  it('sees a note from a writer whose clock runs behind, within the window', async () => {
    const backend = new MapBackend();
    const readerClock = clock();
    const writerClock = clock(readerClock.now() - 5_000);
    const a = await open(backend, { now: writerClock.now });
    const b = await open(backend, { now: readerClock.now });
    readerClock.advance(1000);
    await b.refresh();
    writerClock.advance(1000);
    await a.store({ name: 'late.txt', content: 'x', dataType: DataType.OTHER });
    readerClock.advance(1000);
    await b.refresh();
    expect(await paths(b)).toEqual(['other/late.txt']);
    await Promise.all([a.close(), b.close()]);
  });

  it('reloads everything after a gap the journal cannot bridge, and every fullRefreshMs', async () => {
    const backend = new CountingBackend();
    const time = clock();
    const options = { now: time.now, retentionMs: 60_000, windowMs: 1000, fullRefreshMs: 300_000 };
    const a = await open(backend, options);
    const b = await open(backend, options);
    await a.store({ name: 'one.txt', content: '1', dataType: DataType.OTHER });
    let lists = backend.listsOf(METADATA_PREFIX);
    time.advance(31_000); // more than half the retention since b's last look
    await b.refresh();
    expect(backend.listsOf(METADATA_PREFIX)).toBeGreaterThan(lists);
    expect(await paths(b)).toEqual(['other/one.txt']);

    lists = backend.listsOf(METADATA_PREFIX);
    time.advance(1000);
    await b.refresh();
    expect(backend.listsOf(METADATA_PREFIX)).toBe(lists);
    // A change whose note was lost (its writer crashed before writing it) shows at the next full reload.
    const lost = await DataLake.open(backend, {
      keepBackendOpen: true,
      onNotice: () => {},
      changeJournal: false,
    });
    await lost.store({ name: 'unnoted.txt', content: '2', dataType: DataType.OTHER });
    for (let t = 0; t < 300_000; t += 20_000) {
      time.advance(20_000);
      await b.refresh();
    }
    expect(await paths(b)).toEqual(['other/one.txt', 'other/unnoted.txt']);
    await Promise.all([a.close(), b.close(), lost.close()]);
  });

  it('refresh({ full: true }) lists every record whatever the journal says', async () => {
    const backend = new CountingBackend();
    const b = await open(backend);
    const lists = backend.listsOf(METADATA_PREFIX);
    await b.refresh({ full: true });
    expect(backend.listsOf(METADATA_PREFIX)).toBe(lists + 1);
    await b.close();
  });

  it('compaction removes the notes older than the retention, and only those', async () => {
    const backend = new MapBackend();
    const now = Date.now();
    const old = [noteKey(now - 120_000, 'aaaaaaaa'), noteKey(now - 61_000, 'bbbbbbbb')];
    const young = [noteKey(now - 59_000, 'cccccccc'), noteKey(now, 'dddddddd')];
    for (const key of [...old, ...young]) await backend.put(key, encodeNote(['x']));
    await backend.put(`${CHANGES_PREFIX}not-a-note`, encodeNote(['x']));
    expect(await compactJournal(backend, now - 60_000)).toBe(2);
    expect(await notes(backend)).toEqual([...young, `${CHANGES_PREFIX}not-a-note`].sort());
  });

  it('writers compact now and then, so the journal stays bounded', async () => {
    const backend = new MapBackend();
    const time = clock();
    const a = await open(backend, { now: time.now, retentionMs: 40_000, windowMs: 1000 });
    for (let i = 0; i < 30; i++) {
      await a.store({ name: `w${i}.txt`, content: 'x', dataType: DataType.OTHER });
      time.advance(5_000);
    }
    await a.close();
    const stamps = (await notes(backend)).map((key) => parseNoteKey(key)?.stamp ?? 0);
    expect(stamps.length).toBeLessThan(30);
    expect(Math.min(...stamps)).toBeGreaterThanOrEqual(time.now() - 40_000 - 10_000 - 5_000);
  });

  it('names notes so that key order is time order (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 45 }), fc.integer({ min: 0, max: 2 ** 45 }), (a, b) => {
        const [ka, kb] = [noteKey(a, '01234567'), noteKey(b, '89abcdef')];
        expect(parseNoteKey(ka)?.stamp).toBe(a);
        if (a < b) expect(ka < kb).toBe(true);
        expect(ka > stampKey(a)).toBe(true);
        if (a > 0) expect(ka > stampKey(a - 1)).toBe(true);
        expect(ka < stampKey(a + 1)).toBe(true);
      }),
    );
  });

  it('an unreadable note makes the next refresh a full one, never a silent miss', async () => {
    const backend = new CountingBackend();
    const b = await open(backend);
    const a = await open(backend);
    await a.store({ name: 'ok.txt', content: 'x', dataType: DataType.OTHER });
    await backend.put(noteKey(Date.now(), 'eeeeeeee'), new TextEncoder().encode('not json'));
    const lists = backend.listsOf(METADATA_PREFIX);
    await b.refresh();
    expect(backend.listsOf(METADATA_PREFIX)).toBe(lists + 1);
    expect(await paths(b)).toEqual(['other/ok.txt']);
    await Promise.all([a.close(), b.close()]);
  });

  it('is off for a backend not shared across processes unless asked for, and can be turned off', async () => {
    const backend = new MapBackend();
    const plain = await DataLake.open(backend, { keepBackendOpen: true, onNotice: () => {} });
    await plain.store({ name: 'a.txt', content: 'x', dataType: DataType.OTHER });
    await plain.close();
    expect(await notes(backend)).toEqual([]);
    await expect(open(backend, { windowMs: -1 })).rejects.toMatchObject({ code: 'VALIDATION' });
    await expect(open(backend, { windowMs: 1000, retentionMs: 2000 })).rejects.toMatchObject({
      code: 'VALIDATION',
    });
  });
});
