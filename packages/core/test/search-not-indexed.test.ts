import { randomBytes } from 'node:crypto';
import type { GetOptions, GetResult, StorageBackend } from '@datalake/model';
import { DataType, ValidationError } from '@datalake/model';
import type { SearchOptions } from '@datalake/search';
import { BINARY_PROBE_BYTES } from '@datalake/search';
import { describe, expect, it } from 'vitest';
import { corpusSample } from '../../search/test/support/search-corpus.js';
import { DataLake } from '../src/lake/data-lake.js';
import { MapBackend } from './support/map-backend.js';

const LIMIT = 64 * 1024;

/** Random bytes with a NUL in the first 8 KiB (as good as certain for random bytes, made certain here). */
function randomBinary(size: number): Uint8Array {
  const bytes = new Uint8Array(randomBytes(size));
  bytes[Math.min(size - 1, 100)] = 0;
  return bytes;
}

/** Random bytes without any NUL: not binary by the rule, whatever else they are. */
function randomWithoutNul(size: number): Uint8Array {
  return new Uint8Array(randomBytes(size)).map((byte) => byte || 1);
}

/** Counts the content reads a lake makes (reads of keys outside the lake's own `.`-folders). */
class CountingBackend extends MapBackend {
  contentReads = 0;

  override async get(key: string, options?: GetOptions): Promise<GetResult | null> {
    if (!key.startsWith('.')) this.contentReads++;
    return super.get(key, options);
  }
}

async function openLake(backend: StorageBackend, notices: string[], maxIndexedBytes = LIMIT, scan = false) {
  return DataLake.open(backend, {
    keepBackendOpen: true,
    maxIndexedBytes,
    search: scan ? 'scan' : 'index',
    onNotice: (message) => notices.push(message),
  });
}

const ids = (result: { hits: Array<{ entry: { id: string } }> }) => result.hits.map((hit) => hit.entry.id);

describe('content that cannot be indexed sensibly', () => {
  it('is recorded as not indexed, found by name and metadata, never re-read on open, and re-decided on update', async () => {
    const backend = new CountingBackend();
    const notices: string[] = [];
    const lake = await openLake(backend, notices);
    const large = await lake.store({
      name: 'dump-zebra.bin',
      dataType: DataType.OTHER,
      content: randomWithoutNul(4 * LIMIT),
      metadata: { system: 'quokka' },
    });
    const binary = await lake.store({
      name: 'image.dat',
      dataType: DataType.OTHER,
      content: Buffer.concat([Buffer.from('marmot\n'), randomBinary(2 * BINARY_PROBE_BYTES)]),
      metadata: { owner: 'zebra team' },
    });
    const text = await lake.store({
      name: 'notes.md',
      dataType: DataType.DOCUMENTATION,
      content: 'marmot zebra\n',
    });

    const expected = [
      { id: large.id, filePath: large.filePath, size: large.size, reason: 'too-large' },
      { id: binary.id, filePath: binary.filePath, size: binary.size, reason: 'binary' },
    ];
    expect(await lake.notIndexed()).toEqual(expected);
    const checked = await lake.checkIndex();
    expect(checked.ok).toBe(true);
    expect(checked.notIndexed).toEqual(expected);

    // By name and metadata, not by content.
    expect(ids(await lake.search('zebra'))).toEqual([text.id, large.id, binary.id]);
    expect(ids(await lake.search('quokka'))).toEqual([large.id]);
    expect(ids(await lake.search('marmot'))).toEqual([text.id]);
    expect(ids(await lake.search('zebra', { mode: 'words' })).sort()).toEqual(
      [text.id, binary.id, large.id].sort(),
    );
    await lake.close();

    // Reopened: nothing is read or analysed again.
    backend.contentReads = 0;
    notices.length = 0;
    const reopened = await openLake(backend, notices);
    expect(backend.contentReads).toBe(0);
    expect(notices).toEqual([]);
    expect(await reopened.notIndexed()).toEqual(expected);
    // A search does not read content that is kept out either (only the text entry is read).
    expect(ids(await reopened.search('zebra'))).toEqual([text.id, large.id, binary.id]);
    expect(backend.contentReads).toBe(1);

    // Updated to small text, the entry is indexed again (keyed by its new hash).
    await reopened.update(large.id, { content: 'now a small marmot text\n' });
    expect((await reopened.notIndexed()).map((item) => item.id)).toEqual([binary.id]);
    expect(ids(await reopened.search('marmot')).sort()).toEqual([text.id, large.id].sort());
    await reopened.close();
  });

  it('gives the same answers with the index as a scan under the same limit', async () => {
    const backend = new MapBackend();
    const notices: string[] = [];
    const lake = await openLake(backend, notices);
    for (const doc of corpusSample(40, 32 * 1024)) await lake.store(doc);
    await lake.store({ name: 'big.log', dataType: DataType.LOGS, content: 'select 1;\n'.repeat(LIMIT / 5) });
    await lake.store({ name: 'blob.bin', dataType: DataType.OTHER, content: randomBinary(3000) });
    const scan = await openLake(backend, notices, LIMIT, true);
    for (const [query, options] of [
      ['select', {}],
      ['select', { mode: 'words' }],
      ['s.l.c', { mode: 'regex' }],
      ['^', { mode: 'regex' }],
      ['big', {}],
    ] as Array<[string, SearchOptions]>) {
      expect(await lake.search(query, { limit: 1000, ...options })).toEqual(
        await scan.search(query, { limit: 1000, ...options }),
      );
    }
    // The corpus's Latin-1 files (not UTF-8) are text, and indexed.
    expect((await lake.notIndexed()).map((item) => item.filePath)).toEqual([
      'logs/big.log',
      'other/blob.bin',
    ]);
    await scan.close();
    await lake.close();
  });

  it('re-decides entries when the lake is opened with another limit', async () => {
    const backend = new MapBackend();
    const notices: string[] = [];
    const lake = await openLake(backend, notices);
    const log = await lake.store({
      name: 'app.log',
      dataType: DataType.LOGS,
      content: 'error 42\n'.repeat(LIMIT / 4),
    });
    expect((await lake.notIndexed()).map((item) => item.reason)).toEqual(['too-large']);
    expect(ids(await lake.search('error 42'))).toEqual([]);
    await lake.close();

    const larger = await openLake(backend, notices, 4 * LIMIT);
    expect(await larger.notIndexed()).toEqual([]);
    expect(ids(await larger.search('error 42'))).toEqual([log.id]);
    await larger.close();

    const smaller = await openLake(backend, notices);
    expect((await smaller.notIndexed()).map((item) => item.reason)).toEqual(['too-large']);
    expect(ids(await smaller.search('error 42'))).toEqual([]);
    await smaller.close();
  });

  it('rejects a limit that is not a positive whole number of bytes', async () => {
    for (const maxIndexedBytes of [0, -1, 1.5, Number.NaN])
      await expect(DataLake.open(new MapBackend(), { maxIndexedBytes })).rejects.toThrow(ValidationError);
  });
});
