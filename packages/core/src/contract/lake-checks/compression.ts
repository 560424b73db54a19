import type { StorageBackend } from '@datalake/model';
import { DataType, VERSIONS_BLOBS_PREFIX } from '@datalake/model';
import { writeCompressionSetting } from '../../lake/compression/settings.js';
import type { Lake } from '../../lake/lake.js';
import { assertSameBytes, KiB, patternBytes, sha256Hex, streamOf, utf8 } from '../support/bytes.js';
import { expectErrorCode } from '../support/errors.js';
import { expect } from '../support/expect.js';
import { listKeys } from '../support/listing.js';
import { type ContractCheck, defineCheck } from '../types.js';
import { readStreamed } from './open-lake.js';

const GROUP = 'lake: compression';
const BLOBS = VERSIONS_BLOBS_PREFIX;

/** Log lines that compress well (several times smaller with any codec), `lines` of them. */
export function logText(lines: number, seed = 0): string {
  const levels = ['INFO', 'WARN', 'DEBUG', 'ERROR'];
  const out: string[] = [];
  for (let line = 0; line < lines; line++) {
    const n = line + seed;
    out.push(
      `2026-01-0${1 + (n % 9)}T10:${String(n % 60).padStart(2, '0')}:00Z ${levels[n % 4]} worker-${n % 7} request ${n} served /api/items/${n % 97} in ${n % 13} ms`,
    );
  }
  return `${out.join('\n')}\n`;
}

/** Turns compression on in the lake's own settings, before a lake is opened on it. */
async function compressing(backend: StorageBackend, codec: 'gzip' | 'brotli' = 'gzip'): Promise<void> {
  await writeCompressionSetting(backend, { codec, minBytes: 16 * KiB });
}

/** The optional ranged read of a lake in this process (a remote lake serves ranges over HTTP instead). */
type Ranged = Lake & {
  readRange?: (
    id: string,
    range: { start: number; end?: number },
  ) => Promise<{ stream: AsyncIterable<Uint8Array> }>;
};

async function collect(stream: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return Buffer.concat(chunks);
}

export const compressionChecks: ContractCheck[] = [
  defineCheck(
    GROUP,
    'large text is stored compressed under a suffixed key and reads back byte-exact, whole, streamed and by range',
    async ({ backend, openLake }) => {
      await compressing(backend);
      const lake = (await openLake(backend)) as Ranged;
      const text = logText(4000);
      const bytes = utf8(text);
      const entry = await lake.store({ name: 'app.log', content: text, dataType: DataType.LOGS });
      expect(entry.size).toBe(bytes.byteLength);
      expect(entry.sha256).toBe(sha256Hex(bytes));
      expect(await backend.head('logs/app.log'), 'nothing at the plain path').toBeNull();
      const stored = await backend.head('logs/app.log.gz');
      expect(stored, 'the compressed object').not.toBeNull();
      expect(stored?.size ?? 0).toBeLessThan(bytes.byteLength / 3);
      assertSameBytes(await lake.readBytes(entry.id), bytes, 'readBytes');
      assertSameBytes(await readStreamed(lake, entry.id), bytes, 'readStream');
      expect((await lake.retrieve(entry.id)).content).toBe(text);
      if (lake.readRange) {
        for (const [start, end] of [
          [0, 0],
          [1000, 70_000],
          [bytes.byteLength - 10, bytes.byteLength - 1],
        ] as const)
          assertSameBytes(
            await collect((await lake.readRange(entry.id, { start, end })).stream),
            bytes.subarray(start, end + 1),
            `range ${start}-${end}`,
          );
      }
      const found = await lake.search('served /api/items/42');
      expect(found.hits.map((hit) => hit.entry.id)).toContain(entry.id);
      const stats = await lake.getStats();
      expect(stats.originalSizeBytes).toBe(bytes.byteLength);
      expect(stats.storedSizeBytes).toBe(stored?.size);
      await lake.close();

      const again = await openLake(backend);
      assertSameBytes(await again.readBytes(entry.id), bytes, 'read by another instance');
      expect((await again.getEntryByPath('logs/app.log')).id).toBe(entry.id);
      await again.close();
    },
  ),
  defineCheck(
    GROUP,
    'small, incompressible and already-compressed content is stored as it came',
    async ({ backend, openLake }) => {
      await compressing(backend);
      const lake = await openLake(backend);
      const small = await lake.store({ name: 'small.log', content: logText(5), dataType: DataType.LOGS });
      const noise = patternBytes(64 * KiB, 7);
      const random = await lake.store({ name: 'noise.bin', content: noise, dataType: DataType.OTHER });
      const zipped = await lake.store({
        name: 'logs.tar.gz',
        content: utf8(logText(2000)),
        dataType: DataType.OTHER,
      });
      for (const entry of [small, random, zipped]) {
        expect(await backend.head(entry.filePath), `${entry.filePath} as it came`).not.toBeNull();
        expect(await backend.head(`${entry.filePath}.gz`), `${entry.filePath} not compressed`).toBeNull();
      }
      assertSameBytes(await lake.readBytes(random.id), noise, 'incompressible bytes');
      await lake.close();
    },
  ),
  defineCheck(
    GROUP,
    'a stream is compressed as it goes, and updates, history, restore, diff and undelete work on compressed content',
    async ({ backend, openLake }) => {
      await compressing(backend, 'brotli');
      const lake = await openLake(backend);
      const first = utf8(logText(3000));
      const second = utf8(logText(3500, 11));
      const entry = await lake.store({
        name: 'service.log',
        content: streamOf(first, 7 * KiB),
        dataType: DataType.LOGS,
      });
      expect(await backend.head('logs/service.log.br'), 'the compressed object').not.toBeNull();
      const updated = await lake.update(entry.id, { content: streamOf(second, 5 * KiB) });
      expect(updated.sha256).toBe(sha256Hex(second));
      assertSameBytes(await lake.readBytes(entry.id), second, 'the update');
      assertSameBytes(await lake.readBytes(entry.id, { version: 1 }), first, 'version 1');
      const blobs = await listKeys(backend, BLOBS);
      expect(blobs, 'the kept copy keeps its form').toContain(`${BLOBS}${sha256Hex(first)}.br`);
      const diff = await lake.diff(entry.id, 1, 2);
      expect(diff.binary).toBe(false);
      expect(diff.content.length).toBeGreaterThan(0);
      await lake.restore(entry.id, 1);
      assertSameBytes(await lake.readBytes(entry.id), first, 'restored');
      expect(await lake.delete(entry.id)).toBe(true);
      expect(await backend.head('logs/service.log.br'), 'deleted with its entry').toBeNull();
      await lake.undelete(entry.id);
      assertSameBytes(await lake.readBytes(entry.id), first, 'undeleted');
      await lake.close();
    },
  ),
  defineCheck(
    GROUP,
    'the suffixed path of compressed content is not free for another entry, and a taken one keeps content as it came',
    async ({ backend, openLake }) => {
      await compressing(backend);
      const lake = await openLake(backend);
      const text = logText(2000);
      const compressed = await lake.store({ name: 'a.log', content: text, dataType: DataType.LOGS });
      await expectErrorCode(
        lake.store({ name: 'a.log.gz', content: 'not gzip', dataType: DataType.LOGS }),
        'CONFLICT',
        'storing at the compressed object of another entry',
      );
      assertSameBytes(await lake.readBytes(compressed.id), utf8(text), 'untouched');
      const literal = await lake.store({
        name: 'b.log.gz',
        content: 'a file named .gz',
        dataType: DataType.LOGS,
      });
      const plain = await lake.store({ name: 'b.log', content: text, dataType: DataType.LOGS });
      expect(await backend.head('logs/b.log'), 'stored as it came').not.toBeNull();
      expect((await lake.retrieve(literal.id)).content).toBe('a file named .gz');
      assertSameBytes(await lake.readBytes(plain.id), utf8(text), 'b.log');
      expect(await lake.delete(compressed.id)).toBe(true);
      const reused = await lake.store({ name: 'a.log.gz', content: 'now free', dataType: DataType.LOGS });
      expect((await lake.retrieve(reused.id)).content).toBe('now free');
      await lake.close();
    },
  ),
  defineCheck(
    GROUP,
    'turning compression off leaves compressed entries readable and stores new content as it came',
    async ({ backend, openLake }) => {
      await compressing(backend);
      const lake = await openLake(backend);
      const text = logText(2000);
      const before = await lake.store({ name: 'before.log', content: text, dataType: DataType.LOGS });
      await lake.close();
      await writeCompressionSetting(backend, null);
      const later = await openLake(backend);
      const after = await later.store({ name: 'after.log', content: text, dataType: DataType.LOGS });
      expect(await backend.head('logs/after.log'), 'as it came').not.toBeNull();
      expect(await backend.head('logs/before.log.gz'), 'still compressed').not.toBeNull();
      assertSameBytes(await later.readBytes(before.id), utf8(text), 'compressed before');
      assertSameBytes(await later.readBytes(after.id), utf8(text), 'stored after');
      await later.close();
    },
  ),
];
