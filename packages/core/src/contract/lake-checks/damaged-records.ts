import type { Entry, StorageBackend } from '@datalake/model';
import { collectBody, DATA_TYPES, DataType, pathProblem } from '@datalake/model';
import type { DataLake } from '../../lake/data-lake.js';
import type { FsckProblemKind, FsckReport } from '../../lake/fsck.js';
import { metadataKey, QUARANTINE_PREFIX, RESERVED_PREFIXES } from '../../lake/paths.js';
import { assertSameBytes, utf8 } from '../support/bytes.js';
import { expectErrorCode } from '../support/errors.js';
import { expect } from '../support/expect.js';
import { type ContractCheck, defineCheck } from '../types.js';
import { openLocalLake as openLake, pathsOf } from './open-lake.js';

const GROUP = 'lake: damaged records';

/** Reads a stored JSON object (a record), for editing it as a careless hand would. */
export async function readJsonObject(backend: StorageBackend, key: string): Promise<Record<string, unknown>> {
  const object = await backend.get(key);
  if (!object) throw new Error(`no object at ${key}`);
  return JSON.parse(Buffer.from(await collectBody(object.body)).toString('utf8'));
}

/** Rewrites the record of `entry` with `edit` applied to a copy of its entry object. */
export async function editRecord(
  backend: StorageBackend,
  entry: Entry,
  edit: (entry: Record<string, unknown>) => void,
): Promise<void> {
  const record = await readJsonObject(backend, metadataKey(entry.id));
  const copy = { ...(record.entry as Record<string, unknown>) };
  edit(copy);
  await backend.put(metadataKey(entry.id), utf8(JSON.stringify({ ...record, entry: copy })));
}

/** An edit for `editRecord` that sets one field of the entry. */
export function setField(field: string, value: unknown): (entry: Record<string, unknown>) => void {
  return (entry) => {
    entry[field] = value;
  };
}

/** A backend that remembers every key the lake asks for, to show it never tries one outside the lake. */
export function recordingKeys(backend: StorageBackend): { backend: StorageBackend; keys: string[] } {
  const keys: string[] = [];
  const recorded = new Set(['get', 'head', 'put', 'delete']);
  const wrapped = new Proxy(backend, {
    get(target, property) {
      const value = Reflect.get(target, property, target);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        if (typeof property === 'string' && recorded.has(property)) keys.push(args[0] as string);
        return value.apply(target, args);
      };
    },
  });
  return { backend: wrapped, keys };
}

/** The bytes of an object (empty if there is none). */
export async function bytesAt(backend: StorageBackend, key: string): Promise<Uint8Array> {
  const object = await backend.get(key);
  return object ? collectBody(object.body) : new Uint8Array();
}

/** The kinds of problem in a report, each once, sorted. */
export function kindsOf(report: FsckReport): FsckProblemKind[] {
  return [...new Set(report.problems.map((problem) => problem.kind))].sort();
}

interface DamagedLake {
  good: Entry[];
  /** Record keys that were damaged, each with a fragment its notice must hold. */
  badKeys: string[];
  /** The entry whose content was deleted by hand. */
  lost: Entry;
  /** A content object that no entry owns. */
  orphanKey: string;
}

/**
 * Fills a lake, then damages it the ways of the issue: records with a traversal or absolute
 * filePath, one moved to another id's key, one that is not JSON, one with a wrong-typed size, a
 * copy of a record under a new id (a second owner of a path), a new record pointing outside, a
 * content object deleted by hand, and a content object no entry owns.
 */
async function damage(lake: DataLake, backend: StorageBackend): Promise<DamagedLake> {
  const store = (name: string, content: string, dataType: DataType = DataType.DOCUMENTATION) =>
    lake.store({ name, content, dataType, subpath: 'kept' });
  const good = [
    await store('a.md', 'alpha survives'),
    await store('b.sql', 'create table bravo (x int);', DataType.SCHEMA),
    await store('c.cfg', 'charlie=1', DataType.CONFIGURATION),
  ];
  const victims = await Promise.all(
    ['traversal', 'absolute', 'moved', 'not-json', 'size'].map((name) =>
      store(`${name}.txt`, `victim ${name}`),
    ),
  );
  const lost = await store('lost.log', 'lost content', DataType.LOGS);
  await lake.close();

  const [traversal, absolute, moved, notJson, size] = victims as [Entry, Entry, Entry, Entry, Entry];
  await editRecord(backend, traversal, (entry) => {
    entry.filePath = '../../outside.txt';
  });
  await editRecord(backend, absolute, (entry) => {
    entry.filePath = '/etc/passwd';
  });
  const movedBytes = await bytesAt(backend, metadataKey(moved.id));
  await backend.put(metadataKey('moved-by-hand'), movedBytes);
  await backend.delete(metadataKey(moved.id));
  await backend.put(metadataKey(notJson.id), utf8('{"format":1,"entry":'));
  await editRecord(backend, size, (entry) => {
    entry.size = '12';
  });
  const copy = await readJsonObject(backend, metadataKey((good[0] as Entry).id));
  (copy.entry as Record<string, unknown>).id = 'copied-by-hand';
  await backend.put(metadataKey('copied-by-hand'), utf8(JSON.stringify(copy)));
  // A record no index has seen: opening a lake indexes it, so it must never read "its content".
  const planted = await readJsonObject(backend, metadataKey(lost.id));
  planted.entry = { ...(planted.entry as object), id: 'planted', filePath: '../../planted.txt' };
  await backend.put(metadataKey('planted'), utf8(JSON.stringify(planted)));
  await backend.delete(lost.filePath);
  const orphanKey = 'other/kept/orphan.bin';
  await backend.put(orphanKey, utf8('nobody owns me'));
  const badKeys = [
    metadataKey('planted'),
    metadataKey(traversal.id),
    metadataKey(absolute.id),
    metadataKey('moved-by-hand'),
    metadataKey(notJson.id),
    metadataKey(size.id),
    metadataKey('copied-by-hand'),
  ];
  return { good, badKeys, lost, orphanKey };
}

/** Damaged records are planted in the backend under an in-process lake, so these need the local lake. */
export const damagedRecordChecks: ContractCheck[] = (
  [
    defineCheck(
      GROUP,
      'a damaged record is left out and reported once; the rest of the lake keeps working',
      async (context) => {
        const { good, badKeys, lost } = await damage(await openLake(context.backend), context.backend);
        const notices: string[] = [];
        const recording = recordingKeys(await context.reopen());
        const lake = await openLake(recording.backend, { onNotice: (message) => notices.push(message) });
        for (const key of badKeys) {
          expect(
            notices.filter((notice) => notice.includes(JSON.stringify(key))),
            `one notice for ${key} in ${JSON.stringify(notices)}`,
          ).toHaveLength(1);
        }
        const expected = [...good.map((entry) => entry.filePath), lost.filePath].sort();
        expect(pathsOf(await lake.list())).toEqual(expected);
        expect((await lake.getStats()).totalEntries).toBe(expected.length);
        expect((await lake.retrieve((good[0] as Entry).id)).content).toBe('alpha survives');
        expect((await lake.retrieveByPath((good[1] as Entry).filePath)).content).toContain('bravo');
        expect((await lake.search('alpha survives')).hits.map((hit) => hit.entry.id)).toEqual([
          (good[0] as Entry).id,
        ]);
        await expectErrorCode(() => lake.getEntry('copied-by-hand'), 'CORRUPT', 'a left-out copy');
        await expectErrorCode(() => lake.delete('copied-by-hand'), 'CORRUPT', 'deleting a left-out copy');
        const stored = await lake.store({
          name: 'new.md',
          content: 'delta',
          dataType: DataType.DOCUMENTATION,
        });
        await lake.update((good[2] as Entry).id, { content: 'charlie=2', metadata: { rev: 2 } });
        expect((await lake.retrieve((good[2] as Entry).id)).content).toBe('charlie=2');
        expect(await lake.delete((good[1] as Entry).id)).toBe(true);
        expect((await lake.retrieve(stored.id)).content).toBe('delta');
        expect((await lake.retrieve((good[0] as Entry).id)).content).toBe('alpha survives');
        const before = notices.length;
        await lake.refresh();
        expect(notices.slice(before).filter((notice) => notice.includes('left out'))).toEqual([]);
        for (const key of recording.keys)
          expect(pathProblem(key), `the lake asked for ${key}`).toBeUndefined();
        const outside = ['outside', 'passwd', 'planted.txt'];
        expect(recording.keys.filter((key) => outside.some((name) => key.includes(name)))).toEqual([]);
        await lake.close();
      },
    ),

    defineCheck(
      GROUP,
      'fsck finds the damage; repair moves it to the quarantine; a second fsck finds only lost content',
      async (context) => {
        const { good, badKeys, lost, orphanKey } = await damage(
          await openLake(context.backend),
          context.backend,
        );
        const backend = await context.reopen();
        const originals = new Map<string, Uint8Array>();
        for (const key of [...badKeys, orphanKey]) originals.set(key, await bytesAt(backend, key));
        const lake = await openLake(backend);

        const found = await lake.fsck();
        expect(found.ok).toBe(false);
        expect(kindsOf(found)).toEqual([
          'duplicate-record',
          'invalid-record',
          'missing-content',
          'orphaned-content',
          'stale-claim',
        ]);
        const problemKeys = found.problems.map((problem) => problem.key);
        for (const key of [...badKeys, orphanKey, lost.filePath]) expect(problemKeys).toContain(key);
        expect(found.problems.every((problem) => !problem.repaired)).toBe(true);
        for (const key of originals.keys()) expect(await backend.head(key), key).not.toBeNull();

        const repaired = await lake.fsck({ repair: true });
        expect(repaired.ok).toBe(false);
        expect(repaired.remaining).toBe(1);
        const left = repaired.problems.filter((problem) => !problem.repaired);
        expect(left.map((problem) => [problem.kind, problem.key])).toEqual([
          ['missing-content', lost.filePath],
        ]);
        expect(repaired.quarantine?.startsWith(QUARANTINE_PREFIX)).toBe(true);
        for (const [key, bytes] of originals) {
          const problem = repaired.problems.find((candidate) => candidate.key === key);
          expect(problem?.repaired?.action, key).toBe('quarantined');
          const to = problem?.repaired?.to as string;
          expect(to.startsWith(repaired.quarantine as string)).toBe(true);
          expect(await backend.head(key), `${key} moved away`).toBeNull();
          assertSameBytes(await bytesAt(backend, to), bytes, `quarantined copy of ${key}`);
        }

        const again = await lake.fsck();
        expect(again.problems.map((problem) => [problem.kind, problem.key])).toEqual([
          ['missing-content', lost.filePath],
        ]);
        await lake.close();

        const reopened = await openLake(await context.reopen());
        const paths = pathsOf(await reopened.list());
        expect(paths).toEqual([...good.map((entry) => entry.filePath), lost.filePath].sort());
        for (const path of paths) expect(DATA_TYPES.some((type) => path.startsWith(`${type}/`))).toBe(true);
        for (const path of paths)
          expect(RESERVED_PREFIXES.some((prefix) => path.startsWith(prefix))).toBe(false);
        expect((await reopened.search('nobody owns me')).hits).toEqual([]);
        expect((await reopened.search('victim')).hits).toEqual([]);
        expect((await reopened.getStats()).totalEntries).toBe(paths.length);
        expect((await reopened.fsck()).remaining).toBe(1);
        await reopened.close();
      },
    ),
  ] as ContractCheck[]
).map((check) => ({ ...check, needsLocalLake: true }));
