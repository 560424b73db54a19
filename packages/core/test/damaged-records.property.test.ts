import type { Entry } from '@datalake/model';
import { DATA_TYPES, type DataType, pathProblem } from '@datalake/model';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bytesAt, readJsonObject } from '../src/contract/lake-checks/damaged-records.js';
import { DataLake } from '../src/lake/data-lake.js';
import { contentKey, metadataKey } from '../src/lake/paths.js';
import { MapBackend } from './support/map-backend.js';

const encoder = new TextEncoder();

const FIELDS = [
  'id',
  'name',
  'dataType',
  'metadata',
  'createdAt',
  'updatedAt',
  'filePath',
  'subpath',
  'size',
  'sha256',
];
const HOSTILE_STRINGS = [
  '..',
  '../..',
  '../../etc/passwd',
  '/etc/passwd',
  '/',
  '',
  '.',
  'a//b',
  'C:\\Windows',
  'a\\..\\b',
  'x\u0000y',
  '\u001b[31mred',
  'cafe\u0301',
  ' padded ',
  '.metadata/x.json',
  '.claims',
  'schema/../../x',
  'a'.repeat(300),
];
const WRONG_VALUES: unknown[] = [
  null,
  0,
  -1,
  1.5,
  true,
  [],
  {},
  'x',
  ['a'],
  { nested: 1 },
  Number.MAX_SAFE_INTEGER + 2,
];

/** What to do to one record. `keepsValid`: the record must still be accepted (and its entry listed). */
type Corruption =
  | { kind: 'drop-field'; field: string }
  | { kind: 'drop-top'; field: 'format' | 'entry' }
  | { kind: 'wrong-type'; field: string; value: unknown }
  | { kind: 'hostile-string'; field: string; value: string }
  | { kind: 'id-of-another' }
  | { kind: 'other-plausible-id'; id: string }
  | { kind: 'move-to-key'; id: string }
  | { kind: 'copy-to-key'; id: string }
  | { kind: 'truncate'; at: number }
  | { kind: 'onto-another-path' }
  | { kind: 'benign'; field: 'metadata' | 'size'; value: unknown };

const plausibleId = fc.stringMatching(/^[a-z0-9-]{1,20}$/);

const corruption: fc.Arbitrary<Corruption> = fc.oneof(
  fc.constantFrom(...FIELDS).map((field) => ({ kind: 'drop-field' as const, field })),
  fc.constantFrom('format' as const, 'entry' as const).map((field) => ({ kind: 'drop-top' as const, field })),
  fc
    .record({ field: fc.constantFrom(...FIELDS), value: fc.constantFrom(...WRONG_VALUES) })
    .map((value) => ({ kind: 'wrong-type' as const, ...value })),
  fc
    .record({
      field: fc.constantFrom('id', 'name', 'filePath', 'subpath', 'dataType', 'sha256'),
      value: fc.constantFrom(...HOSTILE_STRINGS),
    })
    .map((value) => ({ kind: 'hostile-string' as const, ...value })),
  fc.constant({ kind: 'id-of-another' as const }),
  plausibleId.map((id) => ({ kind: 'other-plausible-id' as const, id: `x-${id}` })),
  plausibleId.map((id) => ({ kind: 'move-to-key' as const, id: `m-${id}` })),
  plausibleId.map((id) => ({ kind: 'copy-to-key' as const, id: `c-${id}` })),
  fc.nat().map((at) => ({ kind: 'truncate' as const, at })),
  fc.constant({ kind: 'onto-another-path' as const }),
  fc.oneof(
    fc.constant({ kind: 'benign' as const, field: 'metadata' as const, value: { replaced: true } }),
    fc.nat({ max: 1000 }).map((size) => ({ kind: 'benign' as const, field: 'size' as const, value: size })),
  ),
);

const NAMES = ['a.sql', 'B.bas', 'café.md', 'notes.txt', '.env', 'x y.cfg', 'データ.log', 'long-name.json'];
const SUBPATHS = ['', 'db', 'vba/finance', '.github/workflows', 'ünï'];

const lakeShape = fc
  .array(
    fc.record({
      name: fc.constantFrom(...NAMES),
      subpath: fc.constantFrom(...SUBPATHS),
      dataType: fc.constantFrom(...DATA_TYPES),
      content: fc.string({ maxLength: 40 }),
    }),
    { minLength: 2, maxLength: 7 },
  )
  .chain((files) =>
    fc.record({
      files: fc.constant(files),
      damage: fc.array(fc.tuple(fc.nat({ max: files.length - 1 }), corruption), { maxLength: files.length }),
    }),
  );

/**
 * Applies `damage` to the lake's records; returns the ids of the entries whose records were not
 * touched, and of those changed in ways that keep them valid (both must stay listed).
 */
async function applyDamage(
  backend: MapBackend,
  entries: Entry[],
  damage: Array<[number, Corruption]>,
): Promise<{ untouched: Set<string>; mustStay: Set<string> }> {
  const untouched = new Set(entries.map((entry) => entry.id));
  const mustStay = new Set<string>();
  for (const [chosen, change] of damage) {
    const index = chosen % entries.length;
    const victim = entries[index] as Entry;
    if (!untouched.has(victim.id)) continue; // one change per record keeps the oracle simple
    const key = metadataKey(victim.id);
    const record = await readJsonObject(backend, key);
    const entry = record.entry as Record<string, unknown>;
    const put = (target: string, value: unknown) =>
      backend.put(target, encoder.encode(JSON.stringify(value)));
    switch (change.kind) {
      case 'drop-field':
        delete entry[change.field];
        await put(key, record);
        break;
      case 'drop-top':
        delete record[change.field];
        await put(key, record);
        break;
      case 'wrong-type':
      case 'hostile-string':
        entry[change.field] = change.value;
        await put(key, record);
        break;
      case 'id-of-another':
        entry.id = (entries[(index + 1) % entries.length] as Entry).id;
        await put(key, record);
        break;
      case 'other-plausible-id':
        entry.id = change.id;
        await put(key, record);
        break;
      case 'move-to-key':
        await backend.put(metadataKey(change.id), await bytesAt(backend, key));
        await backend.delete(key);
        break;
      case 'copy-to-key':
        // A valid record naming the victim's path: the victim keeps it (its claim says so).
        await put(metadataKey(change.id), { ...record, entry: { ...entry, id: change.id } });
        continue;
      case 'truncate': {
        const bytes = await bytesAt(backend, key);
        await backend.put(key, bytes.slice(0, change.at % bytes.length));
        break;
      }
      case 'onto-another-path': {
        const owner = entries.find((other) => other.filePath !== victim.filePath && untouched.has(other.id));
        if (!owner) continue;
        Object.assign(entry, {
          name: owner.name,
          subpath: owner.subpath,
          dataType: owner.dataType,
          filePath: owner.filePath,
        });
        await put(key, record); // the owner keeps its path as long as its own record is untouched
        break;
      }
      case 'benign':
        entry[change.field] = change.value;
        await put(key, record);
        mustStay.add(victim.id);
        break;
    }
    untouched.delete(victim.id);
  }
  return { untouched, mustStay };
}

describe('damaged records, at random', () => {
  it('never make opening fail, never hide a valid record, and fsck repair never harms one', async () => {
    await fc.assert(
      fc.asyncProperty(lakeShape, async ({ files, damage }) => {
        const backend = new MapBackend();
        const lake = await DataLake.open(backend, { keepBackendOpen: true, onNotice: () => {} });
        const entries: Entry[] = [];
        const contents = new Map<string, string>();
        for (const file of files) {
          const filePath = contentKey(file.dataType as DataType, file.subpath, file.name.normalize('NFC'));
          if (entries.some((entry) => entry.filePath === filePath)) continue;
          const entry = await lake.store(file);
          entries.push(entry);
          contents.set(entry.id, file.content);
        }
        await lake.close();
        const { untouched, mustStay } = await applyDamage(backend, entries, damage);

        const notices: string[] = [];
        const reopened = await DataLake.open(backend, {
          keepBackendOpen: true,
          onNotice: (m) => notices.push(m),
        });
        const listed = await reopened.list();
        const listedIds = new Set(listed.map((entry) => entry.id));
        for (const id of [...untouched, ...mustStay])
          expect(listedIds.has(id), `entry ${id} is listed`).toBe(true);
        for (const id of untouched) {
          const original = entries.find((entry) => entry.id === id);
          expect(listed.find((entry) => entry.id === id)).toEqual(original);
          expect((await reopened.retrieve(id)).content).toBe(contents.get(id));
        }
        for (const entry of listed) {
          expect(entry.filePath).toBe(contentKey(entry.dataType, entry.subpath, entry.name));
          expect(pathProblem(entry.filePath)).toBeUndefined();
        }
        expect(new Set(listed.map((entry) => entry.filePath)).size).toBe(listed.length);
        expect((await reopened.getStats()).totalEntries).toBe(listed.length);
        for (const object of (await backend.list('.metadata/')).objects) {
          const id = object.key.slice('.metadata/'.length, -'.json'.length);
          if (!listedIds.has(id))
            expect(
              notices.some((notice) => notice.includes(JSON.stringify(object.key))),
              object.key,
            ).toBe(true);
        }

        await reopened.fsck({ repair: true });
        const after = await reopened.fsck();
        for (const problem of after.problems) {
          expect(['missing-content', 'content-mismatch'], JSON.stringify(problem)).toContain(problem.kind);
          expect(untouched.has(problem.id as string)).toBe(false);
        }
        for (const id of untouched) expect((await reopened.retrieve(id)).content).toBe(contents.get(id));
        expect((await reopened.list()).map((entry) => entry.id)).toEqual(listed.map((entry) => entry.id));
        await reopened.close();
      }),
      { numRuns: 60 },
    );
  });
});
