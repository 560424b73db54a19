import { DataType, METADATA_PREFIX } from '@datalake/model';
import {
  allByteValues,
  assertSameBytes,
  MiB,
  patternBytes,
  readBody,
  sha256Hex,
  streamOf,
  utf8,
} from '../support/bytes.js';
import { expectErrorCode } from '../support/errors.js';
import { expect } from '../support/expect.js';
import { type ContractCheck, defineCheck } from '../types.js';
import { readStreamed } from './open-lake.js';

const GROUP = 'lake: store and retrieve';
const SQL = 'CREATE TABLE invoices (\n  id INTEGER PRIMARY KEY,\n  total NUMERIC -- €\n);\n';
/** Latin-1 text, a lone continuation byte, a truncated sequence, an overlong NUL: none of it is UTF-8. */
const NOT_UTF8 = Uint8Array.from([
  0x63, 0x61, 0x66, 0xe9, 0x0a, 0x80, 0xff, 0xfe, 0x00, 0xe2, 0x82, 0xc0, 0x80,
]);
const decoder = new TextDecoder('utf-8');

export const storeRetrieveChecks: ContractCheck[] = [
  defineCheck(GROUP, 'stores text and retrieves it by id and by path', async ({ backend, openLake }) => {
    const lake = await openLake(backend);
    const before = Date.now();
    const entry = await lake.store({
      name: 'invoices.sql',
      content: SQL,
      dataType: DataType.SCHEMA,
      subpath: 'finance/2023-10-27',
      metadata: { owner: 'finance', tables: ['invoices'], version: 3 },
    });
    expect(entry).toMatchObject({
      name: 'invoices.sql',
      dataType: 'schema',
      filePath: 'schema/finance/2023-10-27/invoices.sql',
      subpath: 'finance/2023-10-27',
      metadata: { owner: 'finance', tables: ['invoices'], version: 3 },
      updatedAt: null,
      size: utf8(SQL).byteLength,
      sha256: sha256Hex(utf8(SQL)),
    });
    expect(typeof entry.id).toBe('string');
    expect(Date.parse(entry.createdAt)).toBeGreaterThanOrEqual(before - 1000);
    expect(new Date(entry.createdAt).toISOString()).toBe(entry.createdAt);
    expect('content' in entry).toBe(false);

    const byId = await lake.retrieve(entry.id);
    expect(byId.content).toBe(SQL);
    assertSameBytes(byId.bytes, utf8(SQL), 'retrieve().bytes');
    expect({ ...byId, content: undefined, bytes: undefined }).toEqual({
      ...entry,
      content: undefined,
      bytes: undefined,
    });
    const byPath = await lake.retrieveByPath('schema/finance/2023-10-27/invoices.sql');
    expect(byPath.id).toBe(entry.id);
    expect(byPath.content).toBe(SQL);
    await lake.close();
  }),

  defineCheck(
    GROUP,
    'any bytes come back identical; content is their UTF-8 decoding',
    async ({ backend, openLake }) => {
      const lake = await openLake(backend);
      const cases: Array<[string, Uint8Array]> = [
        ['latin1.txt', NOT_UTF8],
        ['all-bytes.bin', allByteValues()],
        ['empty.txt', new Uint8Array(0)],
        ['bom.txt', Uint8Array.from([0xef, 0xbb, 0xbf, 0x68, 0x69])],
      ];
      for (const [name, bytes] of cases) {
        const entry = await lake.store({ name, content: bytes, dataType: DataType.OTHER, subpath: 'raw' });
        expect(entry.size, name).toBe(bytes.byteLength);
        expect(entry.sha256, name).toBe(sha256Hex(bytes));
        assertSameBytes(await lake.readBytes(entry.id), bytes, `readBytes(${name})`);
        assertSameBytes(await readStreamed(lake, entry.id), bytes, `readStream(${name})`);
        const retrieved = await lake.retrieve(entry.id);
        assertSameBytes(retrieved.bytes, bytes, `retrieve(${name}).bytes`);
        expect(retrieved.content, name).toBe(decoder.decode(bytes));
      }
      await lake.close();
    },
  ),

  defineCheck(
    GROUP,
    'content may be a stream, an iterable of chunks, or a multi-MiB buffer',
    async ({ backend, openLake }) => {
      const lake = await openLake(backend);
      const large = patternBytes(3 * MiB + 1, 61);
      const streamed = await lake.store({
        name: 'large.bin',
        content: streamOf(large, 100_000),
        dataType: DataType.LOGS,
      });
      expect(streamed.size).toBe(large.byteLength);
      expect(streamed.sha256).toBe(sha256Hex(large));
      assertSameBytes(await lake.readBytes(streamed.id), large, 'streamed content');

      const chunks = [utf8('Sub Main()\n'), utf8('  MsgBox "hi"\n'), utf8('End Sub\n')];
      const iterable = await lake.store({ name: 'macro.vba', content: chunks, dataType: DataType.MACRO });
      expect((await lake.retrieve(iterable.id)).content).toBe('Sub Main()\n  MsgBox "hi"\nEnd Sub\n');

      const buffer = patternBytes(2 * MiB, 62);
      const whole = await lake.store({ name: 'buffer.bin', content: buffer, dataType: DataType.OTHER });
      buffer.fill(0);
      assertSameBytes(await readStreamed(lake, whole.id), patternBytes(2 * MiB, 62), 'buffer content');
      await lake.close();
    },
  ),

  defineCheck(
    GROUP,
    'the storage layout is human-browsable: content at its path, metadata by id',
    async ({ backend, openLake }) => {
      const lake = await openLake(backend);
      const entry = await lake.store({
        name: 'macro.vba',
        content: NOT_UTF8,
        dataType: DataType.MACRO,
        subpath: 'finance/2023-10-27',
      });
      expect(entry.filePath).toBe('macro/finance/2023-10-27/macro.vba');
      const content = await backend.get('macro/finance/2023-10-27/macro.vba');
      assertSameBytes(await readBody(content?.body ?? emptyBody()), NOT_UTF8, 'content object');
      const metadata = await backend.get(`${METADATA_PREFIX}${entry.id}.json`);
      if (!metadata) throw new Error(`no ${METADATA_PREFIX}${entry.id}.json object`);
      const text = decoder.decode(await readBody(metadata.body));
      expect(() => JSON.parse(text)).not.toThrow();
      expect(text).toContain(entry.filePath);
      await lake.close();
    },
  ),

  defineCheck(
    GROUP,
    'unknown ids and paths are NotFoundError, whatever their shape',
    async ({ backend, openLake }) => {
      const lake = await openLake(backend);
      await lake.store({ name: 'a.sql', content: 'select 1', dataType: DataType.SCHEMA });
      for (const id of [
        'non-existent-id',
        '../../etc/passwd',
        '',
        'a/b',
        `${METADATA_PREFIX}x`,
        'x'.repeat(2000),
      ]) {
        await expectErrorCode(() => lake.retrieve(id), 'NOT_FOUND', `retrieve(${JSON.stringify(id)})`);
        await expectErrorCode(() => lake.readBytes(id), 'NOT_FOUND', `readBytes(${JSON.stringify(id)})`);
        await expectErrorCode(() => lake.readStream(id), 'NOT_FOUND', `readStream(${JSON.stringify(id)})`);
        await expectErrorCode(
          () => lake.update(id, { metadata: { a: 1 } }),
          'NOT_FOUND',
          `update(${JSON.stringify(id)})`,
        );
        expect(await lake.delete(id), `delete(${JSON.stringify(id)})`).toBe(false);
      }
      for (const path of [
        'non/existent/path.sql',
        'schema/a.sq',
        'schema',
        '/schema/a.sql',
        '../x',
        'schema//a.sql',
      ]) {
        await expectErrorCode(
          () => lake.retrieveByPath(path),
          'NOT_FOUND',
          `retrieveByPath(${JSON.stringify(path)})`,
        );
      }
      await lake.close();
    },
  ),

  defineCheck(
    GROUP,
    'a taken path is a ConflictError and nothing is overwritten',
    async ({ backend, openLake }) => {
      const lake = await openLake(backend);
      const first = await lake.store({
        name: 'cfg.yml',
        content: 'a: 1\n',
        dataType: DataType.CONFIGURATION,
        subpath: 'app',
      });
      await expectErrorCode(
        () =>
          lake.store({
            name: 'cfg.yml',
            content: 'a: 2\n',
            dataType: DataType.CONFIGURATION,
            subpath: 'app',
          }),
        'CONFLICT',
        'second store at the same path',
      );
      await expectErrorCode(
        () =>
          lake.store({
            name: 'cfg.yml',
            content: streamOf(utf8('a: 3\n')),
            dataType: DataType.CONFIGURATION,
            subpath: 'app',
          }),
        'CONFLICT',
        'third store at the same path, streamed',
      );
      expect((await lake.retrieveByPath('configuration/app/cfg.yml')).content).toBe('a: 1\n');
      expect((await lake.retrieve(first.id)).content).toBe('a: 1\n');
      expect((await lake.getStats()).totalEntries).toBe(1);
      const reopened = await openLake(backend);
      expect((await reopened.list()).map((entry) => entry.id)).toEqual([first.id]);
      await reopened.close();
      await lake.close();
    },
  ),
];

async function* emptyBody(): AsyncIterable<Uint8Array> {}
