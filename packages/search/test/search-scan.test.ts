import { ValidationError } from '@datalake/model';
import { beforeEach, describe, expect, it } from 'vitest';
import { scanSearch } from '../src/index.js';
import { MapBackend } from './support/map-backend.js';
import { TestHost } from './support/search-host.js';

let host: TestHost;

beforeEach(async () => {
  host = new TestHost(new MapBackend());
  await host.put({
    name: 'orders.sql',
    dataType: 'schema',
    subpath: 'shop/v1',
    content: 'CREATE TABLE orders (\r\n  id INT,\r\n  customer_id INT\r\n);\r\n-- orders by Customer\r\n',
    metadata: { owner: 'sales', version: 2 },
    createdAt: '2024-03-01T00:00:00.000Z',
  });
  await host.put({
    name: 'Report.bas',
    dataType: 'macro',
    subpath: 'finance',
    content: 'Sub Report()\n  MsgBox "Größe: ΣΑΣ"\nEnd Sub\n',
    metadata: { owner: 'finance' },
    createdAt: '2024-05-01T00:00:00.000Z',
    updatedAt: '2024-06-01T00:00:00.000Z',
  });
  await host.put({
    name: 'guide.md',
    dataType: 'documentation',
    content: 'How to read the customer report.\nThe report lists customers and their orders.\n',
  });
  await host.put({
    name: 'latin1.txt',
    dataType: 'other',
    content: new Uint8Array([0x63, 0x61, 0x66, 0xe9, 0x0a, 0x6f, 0x6b]), // "caf\xe9\nok" (not UTF-8)
  });
});

const paths = (result: { hits: Array<{ entry: { filePath: string } }> }) =>
  result.hits.map((h) => h.entry.filePath);

describe('scanSearch substring', () => {
  it('matches case-insensitively across name, content and metadata, in path order', async () => {
    const result = await scanSearch(host, 'REPORT');
    expect(paths(result)).toEqual(['documentation/guide.md', 'macro/finance/Report.bas']);
    const [guide, macro] = result.hits;
    expect(guide?.matchedIn).toEqual(['content']);
    expect(guide?.lines).toEqual([
      { line: 1, text: 'How to read the customer report.', ranges: [[25, 31]] },
      { line: 2, text: 'The report lists customers and their orders.', ranges: [[4, 10]] },
    ]);
    expect(guide?.score).toBe(2);
    expect(macro?.matchedIn).toEqual(['name', 'content']);
    expect(macro?.lineMatchCount).toBe(1);
    expect(result.cursor).toBeUndefined();
  });

  it('honours caseSensitive', async () => {
    expect(paths(await scanSearch(host, 'Customer', { caseSensitive: true }))).toEqual([
      'schema/shop/v1/orders.sql',
    ]);
    expect(paths(await scanSearch(host, 'customer', { caseSensitive: true }))).toEqual([
      'documentation/guide.md',
      'schema/shop/v1/orders.sql',
    ]);
  });

  it('strips the carriage return of CRLF lines and reports 1-based line numbers', async () => {
    const [hit] = (await scanSearch(host, 'customer_id')).hits;
    expect(hit?.lines).toEqual([{ line: 3, text: '  customer_id INT', ranges: [[2, 13]] }]);
  });

  it('reports a match spanning a line break on every line it touches', async () => {
    const [hit] = (await scanSearch(host, 'report.\nthe')).hits;
    expect(hit?.lines.map((l) => [l.line, l.ranges])).toEqual([
      [1, [[25, 32]]],
      [2, [[0, 3]]],
    ]);
    expect(hit?.lineMatchCount).toBe(2);
  });

  it('matches metadata values and non-ASCII text, and decodes invalid UTF-8 as U+FFFD', async () => {
    expect((await scanSearch(host, 'SALES')).hits[0]?.matchedIn).toEqual(['metadata']);
    expect(paths(await scanSearch(host, 'größe: σασ'))).toEqual(['macro/finance/Report.bas']);
    const [hit] = (await scanSearch(host, 'caf\ufffd')).hits;
    expect(hit?.lines).toEqual([{ line: 1, text: 'caf\ufffd', ranges: [[0, 4]] }]);
  });

  it('works for one-character queries', async () => {
    expect(paths(await scanSearch(host, 'Σ', { caseSensitive: true }))).toEqual(['macro/finance/Report.bas']);
  });
});

describe('scanSearch filters', () => {
  it('filters by type, subpath, metadata and dates', async () => {
    expect(paths(await scanSearch(host, 'o', { dataType: ['schema', 'macro'] }))).toEqual([
      'macro/finance/Report.bas',
      'schema/shop/v1/orders.sql',
    ]);
    expect(paths(await scanSearch(host, 'o', { subpath: 'shop' }))).toEqual(['schema/shop/v1/orders.sql']);
    expect(paths(await scanSearch(host, 'o', { subpath: 'sho' }))).toEqual([]);
    expect(paths(await scanSearch(host, 'o', { metadata: { version: 2 } }))).toEqual([
      'schema/shop/v1/orders.sql',
    ]);
    expect(paths(await scanSearch(host, 'o', { metadata: { version: '2' } }))).toEqual([
      'schema/shop/v1/orders.sql',
    ]);
    expect(paths(await scanSearch(host, 'o', { createdAfter: '2024-04-01', dataType: 'macro' }))).toEqual([
      'macro/finance/Report.bas',
    ]);
    expect(paths(await scanSearch(host, 'o', { modifiedBefore: new Date('2024-05-15') }))).toEqual([
      'documentation/guide.md',
      'other/latin1.txt',
      'schema/shop/v1/orders.sql',
    ]);
  });
});

describe('scanSearch regex and words', () => {
  it('runs regular expressions with per-line anchors', async () => {
    const result = await scanSearch(host, '^end \\w+$', { mode: 'regex' });
    expect(paths(result)).toEqual(['macro/finance/Report.bas']);
    expect(result.hits[0]?.lines).toEqual([{ line: 3, text: 'End Sub', ranges: [[0, 7]] }]);
  });

  it('survives empty regex matches', async () => {
    const result = await scanSearch(host, 'x*', { mode: 'regex', dataType: 'other' });
    expect(result.hits[0]?.lineMatchCount).toBe(2);
  });

  it('ranks words with BM25 and matches the last word as a prefix', async () => {
    const result = await scanSearch(host, 'customer ord', { mode: 'words' });
    expect(paths(result).sort()).toEqual(['documentation/guide.md', 'schema/shop/v1/orders.sql']);
    const scores = result.hits.map((h) => h.score);
    expect(scores[0]).toBeGreaterThanOrEqual(scores[1] as number);
    expect(scores.every((s) => s > 0)).toBe(true);
    const guide = result.hits.find((h) => h.entry.name === 'guide.md');
    expect(guide?.lines.map((l) => l.line)).toEqual([1, 2]);
  });
});

describe('scanSearch pagination and validation', () => {
  it('pages with an opaque cursor without repeating or skipping hits', async () => {
    const all = paths(await scanSearch(host, 'o'));
    expect(all).toHaveLength(4);
    const first = await scanSearch(host, 'o', { limit: 3 });
    expect(first.cursor).toBeTypeOf('string');
    const second = await scanSearch(host, 'o', { limit: 3, cursor: first.cursor as string });
    expect([...paths(first), ...paths(second)]).toEqual(all);
    expect(second.cursor).toBeUndefined();
  });

  it('rejects bad input with ValidationError', async () => {
    const bad = [
      () => scanSearch(host, ''),
      () => scanSearch(host, '(', { mode: 'regex' }),
      () => scanSearch(host, 'x', { limit: 0 }),
      () => scanSearch(host, 'x', { limit: 1.5 }),
      () => scanSearch(host, 'x', { cursor: 'nonsense' }),
      () => scanSearch(host, 'x', { createdAfter: 'yesterday' }),
      () => scanSearch(host, 'x', { dataType: 'binary' as never }),
      () => scanSearch(host, 'x', { subpath: '../up' }),
      () => scanSearch(host, '--', { mode: 'words' }),
    ];
    for (const call of bad) await expect(call()).rejects.toBeInstanceOf(ValidationError);
  });
});
