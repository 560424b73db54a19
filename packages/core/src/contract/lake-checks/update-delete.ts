import { DataType, METADATA_PREFIX } from '@datalake/model';
import { assertSameBytes, patternBytes, sha256Hex, streamOf, utf8 } from '../support/bytes.js';
import { expectErrorCode } from '../support/errors.js';
import { expect } from '../support/expect.js';
import { listKeys } from '../support/listing.js';
import { type ContractCheck, defineCheck } from '../types.js';

const GROUP = 'lake: update and delete';

export const updateDeleteChecks: ContractCheck[] = [
  defineCheck(
    GROUP,
    'update merges metadata; size, hash and updatedAt follow the content',
    async ({ backend, openLake }) => {
      const lake = await openLake(backend);
      const entry = await lake.store({
        name: 'app.json',
        content: '{"a":1}',
        dataType: DataType.CONFIGURATION,
        metadata: { env: 'prod', owner: 'ops', nested: { x: 1 } },
      });
      const meta = await lake.update(entry.id, {
        metadata: { owner: 'platform', reviewed: true, env: null },
      });
      expect(meta.metadata).toEqual({ env: null, owner: 'platform', nested: { x: 1 }, reviewed: true });
      expect(meta.sha256).toBe(entry.sha256);
      expect(meta.size).toBe(entry.size);
      expect(meta.createdAt).toBe(entry.createdAt);
      expect(meta.updatedAt).not.toBeNull();
      expect(Date.parse(meta.updatedAt as string)).toBeGreaterThanOrEqual(Date.parse(entry.createdAt));

      const next = utf8('{"a":2,"b":"ü"}');
      const updated = await lake.update(entry.id, { content: streamOf(next, 3), metadata: { version: 2 } });
      expect(updated).toMatchObject({
        id: entry.id,
        filePath: entry.filePath,
        name: entry.name,
        createdAt: entry.createdAt,
        size: next.byteLength,
        sha256: sha256Hex(next),
        metadata: { env: null, owner: 'platform', nested: { x: 1 }, reviewed: true, version: 2 },
      });
      expect(Date.parse(updated.updatedAt as string)).toBeGreaterThanOrEqual(
        Date.parse(meta.updatedAt as string),
      );
      const retrieved = await lake.retrieve(entry.id);
      expect(retrieved.content).toBe('{"a":2,"b":"ü"}');
      expect(retrieved.metadata).toEqual(updated.metadata);
      expect((await lake.retrieveByPath(entry.filePath)).sha256).toBe(sha256Hex(next));

      const binary = patternBytes(100_000, 5);
      await lake.update(entry.id, { content: binary });
      assertSameBytes(await lake.readBytes(entry.id), binary, 'bytes after a binary update');
      const reopened = await openLake(backend);
      const seen = await reopened.retrieve(entry.id);
      expect(seen.sha256).toBe(sha256Hex(binary));
      expect(seen.metadata).toEqual(updated.metadata);
      await reopened.close();
      await lake.close();
    },
  ),

  defineCheck(
    GROUP,
    'delete answers true then false and removes content and metadata',
    async ({ backend, openLake }) => {
      const lake = await openLake(backend);
      const keep = await lake.store({
        name: 'keep.log',
        content: 'k',
        dataType: DataType.LOGS,
        subpath: 'x',
      });
      const entry = await lake.store({
        name: 'gone.log',
        content: 'g',
        dataType: DataType.LOGS,
        subpath: 'x',
      });
      expect(await lake.delete(entry.id)).toBe(true);
      expect(await lake.delete(entry.id)).toBe(false);
      expect(await lake.delete('non-existent-id')).toBe(false);
      await expectErrorCode(() => lake.retrieve(entry.id), 'NOT_FOUND', 'retrieve after delete');
      await expectErrorCode(
        () => lake.retrieveByPath('logs/x/gone.log'),
        'NOT_FOUND',
        'retrieveByPath after delete',
      );
      expect((await lake.list()).map((item) => item.id)).toEqual([keep.id]);
      expect(await backend.head('logs/x/gone.log')).toBeNull();
      expect(await backend.head(`${METADATA_PREFIX}${entry.id}.json`)).toBeNull();
      expect(await listKeys(backend, 'logs/')).toEqual(['logs/x/keep.log']);

      const again = await lake.store({
        name: 'gone.log',
        content: 'new',
        dataType: DataType.LOGS,
        subpath: 'x',
      });
      expect(again.id).not.toBe(entry.id);
      expect((await lake.retrieveByPath('logs/x/gone.log')).content).toBe('new');
      await lake.close();
    },
  ),
];
