import type { BackendCapabilities } from '@datalake/model';
import { DataType, METADATA_PREFIX, VERSIONS_BLOBS_PREFIX } from '@datalake/model';
import { expect } from 'vitest';
import type { Lake } from '../../lake/lake.js';
import { assertSameBytes, patternBytes, sha256Hex, utf8 } from '../support/bytes.js';
import { expectErrorCode } from '../support/errors.js';
import { listKeys } from '../support/listing.js';
import { type ContractCheck, defineCheck } from '../types.js';
import { pathsOf } from './open-lake.js';

const GROUP = 'lake: history';
const BLOBS = VERSIONS_BLOBS_PREFIX;
const atomic = (capabilities: BackendCapabilities) => capabilities.atomicConditionalWrites;

/** Waits until the clock has moved past `time`, so that versions get distinct times. */
export async function after(time: number): Promise<void> {
  while (Date.now() <= time + 1) await new Promise((resolve) => setTimeout(resolve, 2));
}

/** Every version of `id`, newest first, following cursors. */
export async function everyVersion(lake: Lake, id: string, limit?: number) {
  const versions = [];
  let cursor: string | undefined;
  do {
    const page = await lake.history(id, { ...(limit ? { limit } : {}), ...(cursor ? { cursor } : {}) });
    versions.push(...page.versions);
    cursor = page.cursor;
  } while (cursor);
  return versions;
}

/** Every version that has content can be read back, and hashes to what its version says. */
export async function assertHistoryWhole(lake: Lake, id: string): Promise<void> {
  const versions = await everyVersion(lake, id);
  expect(versions.map((version) => version.version)).toEqual(
    versions.map((_, index) => versions.length - index),
  );
  for (const version of versions) {
    if (version.deleted) continue;
    const bytes = await lake.readBytes(id, { version: version.version });
    expect(sha256Hex(bytes), `content of version ${version.version}`).toBe(version.sha256);
  }
}

export const historyChecks: ContractCheck[] = [
  defineCheck(
    GROUP,
    'every store, update and delete is a version, newest first',
    async ({ backend, openLake }) => {
      const lake = await openLake(backend);
      const entry = await lake.store({
        name: 'app.cfg',
        content: 'port=1\n',
        dataType: DataType.CONFIGURATION,
        metadata: { env: 'dev' },
        author: 'ada',
        message: 'first cut',
      });
      await lake.update(entry.id, { metadata: { env: 'prod' }, author: 'bob' });
      const blobsBefore = await listKeys(backend, BLOBS);
      await lake.update(entry.id, { content: 'port=2\n', message: 'new port' });
      await lake.update(entry.id, { content: 'port=2\n' });
      expect(await lake.delete(entry.id, { author: 'eve', message: 'retired' })).toBe(true);

      const history = await lake.history(entry.id);
      expect(history.deleted).toBe(true);
      expect(history.filePath).toBe('configuration/app.cfg');
      expect(history.cursor).toBeUndefined();
      expect(history.versions.map((version) => [version.version, version.op, version.deleted])).toEqual([
        [5, 'delete', true],
        [4, 'update', false],
        [3, 'update', false],
        [2, 'update', false],
        [1, 'store', false],
      ]);
      const [deletion, , third, second, first] = history.versions;
      expect(first).toMatchObject({ author: 'ada', message: 'first cut', metadata: { env: 'dev' } });
      expect(second).toMatchObject({ author: 'bob', metadata: { env: 'prod' }, sha256: entry.sha256 });
      expect(third).toMatchObject({ message: 'new port', sha256: sha256Hex(utf8('port=2\n')) });
      expect(deletion).toMatchObject({ author: 'eve', message: 'retired' });
      for (const version of history.versions) expect(Number.isNaN(Date.parse(version.at))).toBe(false);

      // Content is kept once per distinct SHA-256: a metadata change and a re-store of the same bytes add none.
      expect(blobsBefore).toEqual([]);
      expect(await listKeys(backend, BLOBS)).toEqual(
        [`${BLOBS}${entry.sha256}`, `${BLOBS}${sha256Hex(utf8('port=2\n'))}`].sort(),
      );

      const old = await lake.retrieve(entry.id, { version: 1 });
      expect(old).toMatchObject({
        id: entry.id,
        content: 'port=1\n',
        metadata: { env: 'dev' },
        updatedAt: null,
      });
      expect((await lake.retrieve(entry.id, { version: 2 })).metadata).toEqual({ env: 'prod' });
      assertSameBytes(await lake.readBytes(entry.id, { version: 3 }), utf8('port=2\n'), 'bytes of version 3');
      const { entry: streamed, stream } = await lake.readStream(entry.id, { version: 1 });
      expect(streamed.sha256).toBe(entry.sha256);
      const chunks: Uint8Array[] = [];
      for await (const chunk of stream) chunks.push(chunk);
      expect(Buffer.concat(chunks).toString()).toBe('port=1\n');
      await expectErrorCode(
        () => lake.retrieve(entry.id, { version: 5 }),
        'NOT_FOUND',
        'the deletion has no content',
      );
      await expectErrorCode(() => lake.retrieve(entry.id, { version: 6 }), 'NOT_FOUND', 'a version to come');
      await expectErrorCode(() => lake.retrieve(entry.id, { version: 0 }), 'VALIDATION', 'version 0');
      await expectErrorCode(() => lake.history(entry.id, { limit: 0 }), 'VALIDATION', 'limit 0');
      await expectErrorCode(() => lake.history(entry.id, { cursor: 'x' }), 'VALIDATION', 'a made-up cursor');
      await expectErrorCode(() => lake.history('no-such-entry'), 'NOT_FOUND', 'history of nothing');
      await expectErrorCode(
        () => lake.store({ name: 'x', content: 'x', dataType: DataType.OTHER, author: 7 as never }),
        'VALIDATION',
        'an author that is not text',
      );
      expect((await lake.list()).map((item) => item.id)).toEqual([]);
      await lake.close();
    },
  ),

  defineCheck(
    GROUP,
    'restore makes an old version current again as a new version',
    async ({ backend, openLake }) => {
      const lake = await openLake(backend);
      const entry = await lake.store({
        name: 'r.md',
        content: 'one',
        dataType: DataType.DOCUMENTATION,
        metadata: { n: 1 },
      });
      await lake.update(entry.id, { content: 'two', metadata: { n: 2, extra: true } });
      const restored = await lake.restore(entry.id, 1, { author: 'ops', message: 'roll back' });
      expect(restored).toMatchObject({ sha256: entry.sha256, size: entry.size, metadata: { n: 1 } });
      expect((await lake.retrieve(entry.id)).content).toBe('one');
      expect((await lake.search('two')).hits).toEqual([]);
      const [newest] = (await lake.history(entry.id)).versions;
      expect(newest).toMatchObject({
        version: 3,
        op: 'restore',
        restoredFrom: 1,
        author: 'ops',
        message: 'roll back',
      });
      expect((await lake.retrieve(entry.id, { version: 2 })).content).toBe('two');
      await lake.restore(entry.id, 2);
      expect((await lake.retrieve(entry.id)).metadata).toEqual({ n: 2, extra: true });
      await assertHistoryWhole(lake, entry.id);
      await lake.delete(entry.id);
      await expectErrorCode(() => lake.restore(entry.id, 1), 'NOT_FOUND', 'restore of a deleted entry');
      await lake.close();
    },
  ),

  defineCheck(
    GROUP,
    'undelete brings an entry back with its history; a taken path refuses it',
    async (context) => {
      const lake = await context.openLake(context.backend);
      const bytes = patternBytes(70_000, 3);
      const entry = await lake.store({
        name: 'b.bin',
        content: bytes,
        dataType: DataType.OTHER,
        subpath: 'u',
        metadata: { k: 1 },
      });
      await lake.delete(entry.id);
      await expectErrorCode(() => lake.undelete('no-such-entry'), 'NOT_FOUND', 'undelete of nothing');
      const back = await lake.undelete(entry.id, { message: 'oops' });
      expect(back).toMatchObject({
        id: entry.id,
        filePath: 'other/u/b.bin',
        sha256: entry.sha256,
        metadata: { k: 1 },
      });
      assertSameBytes(await lake.readBytes(entry.id), bytes, 'undeleted content');
      expect(pathsOf(await lake.list())).toEqual(['other/u/b.bin']);
      expect((await lake.history(entry.id)).versions.map((version) => version.op)).toEqual([
        'undelete',
        'delete',
        'store',
      ]);
      await expectErrorCode(() => lake.undelete(entry.id), 'CONFLICT', 'undelete of a live entry');

      const reopened = await context.openLake(await context.reopen());
      expect((await reopened.getEntryByPath('other/u/b.bin')).id).toBe(entry.id);
      await reopened.delete(entry.id);
      await reopened.store({ name: 'b.bin', content: 'squatter', dataType: DataType.OTHER, subpath: 'u' });
      await expectErrorCode(() => reopened.undelete(entry.id), 'CONFLICT', 'undelete onto a taken path');
      expect((await reopened.history(entry.id)).deleted).toBe(true);
      await reopened.close();
      await lake.close();
    },
  ),

  defineCheck(GROUP, 'asOf shows the lake as it was at a moment', async ({ backend, openLake }) => {
    const lake = await openLake(backend);
    const a = await lake.store({
      name: 'a.txt',
      content: 'a1',
      dataType: DataType.DOCUMENTATION,
      metadata: { v: 1 },
    });
    const gone = await lake.store({ name: 'gone.txt', content: 'g', dataType: DataType.DOCUMENTATION });
    await after(Date.now());
    const t1 = new Date();
    await after(t1.getTime());
    await lake.update(a.id, { content: 'a2', metadata: { v: 2 } });
    await lake.delete(gone.id);
    const late = await lake.store({
      name: 'late.txt',
      content: 'l',
      dataType: DataType.DOCUMENTATION,
      subpath: 'sub',
    });
    await after(Date.now());
    const t2 = new Date().toISOString();

    const then = await lake.list({ asOf: t1 });
    expect(pathsOf(then)).toEqual(['documentation/a.txt', 'documentation/gone.txt']);
    expect(then.find((entry) => entry.id === a.id)?.metadata).toEqual({ v: 1 });
    expect((await lake.retrieveByPath('documentation/a.txt', { asOf: t1 })).content).toBe('a1');
    expect((await lake.retrieveByPath('documentation/gone.txt', { asOf: t1 })).content).toBe('g');
    await expectErrorCode(
      () => lake.retrieveByPath('documentation/gone.txt', { asOf: t2 }),
      'NOT_FOUND',
      'a deleted entry after its deletion',
    );
    expect(pathsOf(await lake.list({ asOf: t2 }))).toEqual([
      'documentation/a.txt',
      'documentation/sub/late.txt',
    ]);
    expect(pathsOf(await lake.list({ asOf: t2, subpath: 'sub' }))).toEqual([late.filePath]);
    expect(
      pathsOf(await lake.list({ asOf: t2, recursive: false, dataType: DataType.DOCUMENTATION })),
    ).toEqual(['documentation/a.txt']);
    expect(await lake.list({ asOf: new Date(0) })).toEqual([]);
    await expectErrorCode(() => lake.list({ asOf: 'not a time' }), 'VALIDATION', 'a bad asOf');
    await lake.close();
  }),

  defineCheck(
    GROUP,
    'diff shows metadata and text changes; binary content says so',
    async ({ backend, openLake }) => {
      const lake = await openLake(backend);
      const entry = await lake.store({
        name: 'm.sql',
        content: 'select 1;\nselect 2;\n',
        dataType: DataType.SCHEMA,
        metadata: { owner: 'a' },
      });
      await lake.update(entry.id, { content: 'select 1;\nselect 3;\n', metadata: { owner: 'b' } });
      const text = await lake.diff(entry.id, 1, 2);
      expect(text).toMatchObject({ id: entry.id, from: 1, to: 2, binary: false });
      expect(text.content).toContain('-select 2;');
      expect(text.content).toContain('+select 3;');
      expect(text.metadata).toContain('-  "owner": "a"');
      expect(text.metadata).toContain('+  "owner": "b"');
      expect((await lake.diff(entry.id, 2, 2)).content).toBe('');
      await lake.update(entry.id, { content: Uint8Array.from([0, 1, 2, 3]) });
      const binary = await lake.diff(entry.id, 2, 3);
      expect(binary.binary).toBe(true);
      expect(binary.content).toMatch(/^Binary content differs/);
      expect(binary.metadata).toBe('');
      await expectErrorCode(() => lake.diff(entry.id, 1, 9), 'NOT_FOUND', 'diff with a missing version');
      await lake.close();
    },
  ),

  defineCheck(
    GROUP,
    'a long history is paged, newest first, and every version stays readable',
    async ({ backend, openLake }) => {
      const lake = await openLake(backend);
      const entry = await lake.store({ name: 'long.log', content: 'v0', dataType: DataType.LOGS });
      const updates = 149;
      for (let index = 1; index <= updates; index++) {
        await lake.update(entry.id, index % 10 === 0 ? { content: `v${index}` } : { metadata: { n: index } });
      }
      const first = await lake.history(entry.id, { limit: 20 });
      expect(first.versions.map((version) => version.version)).toEqual(
        Array.from({ length: 20 }, (_, i) => 150 - i),
      );
      expect(first.cursor).toBeDefined();
      const all = await everyVersion(lake, entry.id, 33);
      expect(all.map((version) => version.version)).toEqual(Array.from({ length: 150 }, (_, i) => 150 - i));
      expect((await lake.retrieve(entry.id, { version: 11 })).content).toBe('v10');
      expect((await lake.retrieve(entry.id, { version: 2 })).metadata).toEqual({ n: 1 });
      const reopened = await openLake(backend);
      expect((await reopened.retrieve(entry.id, { version: 1 })).content).toBe('v0');
      await assertHistoryWhole(reopened, entry.id);
      await reopened.close();
      await lake.close();
    },
  ),

  defineCheck(
    GROUP,
    'a lake written before history opens as it is and gains history',
    async ({ backend, openLake }) => {
      const lake = await openLake(backend);
      const entry = await lake.store({
        name: 'legacy.cfg',
        content: 'old',
        dataType: DataType.CONFIGURATION,
        metadata: { a: 1 },
      });
      await lake.close();
      // The record as a lake without history wrote it: no version list.
      const key = `${METADATA_PREFIX}${entry.id}.json`;
      const object = await backend.get(key);
      const record = JSON.parse(Buffer.from(await readAll(object?.body)).toString('utf8'));
      delete record.history;
      await backend.put(key, utf8(JSON.stringify(record)));

      const reopened = await openLake(backend);
      expect((await reopened.retrieve(entry.id)).content).toBe('old');
      expect((await reopened.history(entry.id)).versions.map((version) => version.version)).toEqual([1]);
      await reopened.update(entry.id, { content: 'new' });
      expect((await reopened.retrieve(entry.id, { version: 1 })).content).toBe('old');
      expect((await reopened.history(entry.id)).versions.map((version) => version.op)).toEqual([
        'update',
        'store',
      ]);
      await reopened.close();
    },
  ),

  defineCheck(
    GROUP,
    'two instances updating one entry never lose a version',
    async (context) => {
      const a = await context.openLake(context.backend);
      const b = await context.openLake(await context.reopen());
      const entry = await a.store({ name: 'race.txt', content: 'start', dataType: DataType.OTHER });
      await b.refresh();
      const rounds = 6;
      const run = (lake: Lake, who: string) =>
        (async () => {
          for (let index = 0; index < rounds; index++) {
            const change = index % 2 === 0 ? { content: `${who}-${index}` } : {};
            await lake.update(entry.id, {
              ...change,
              metadata: { [who]: index },
              author: who,
              message: `${who}-${index}`,
            });
          }
        })();
      await Promise.all([run(a, 'a'), run(b, 'b')]);
      const versions = await everyVersion(a, entry.id);
      expect(versions).toHaveLength(1 + 2 * rounds);
      const messages = versions.flatMap((version) => (version.message ? [version.message] : [])).sort();
      expect(messages).toEqual(
        ['a', 'b'].flatMap((who) => Array.from({ length: rounds }, (_, index) => `${who}-${index}`)).sort(),
      );
      await assertHistoryWhole(b, entry.id);
      await a.close();
      await b.close();
    },
    atomic,
  ),
];

async function readAll(body: AsyncIterable<Uint8Array> | undefined): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of body ?? []) chunks.push(chunk);
  return Buffer.concat(chunks);
}
