import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Entry, LakeStats, SearchResult } from '@datalake/core';
import type { IngestSummary } from '@datalake/ingest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, runJson } from './support/cli.js';

let work: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'datalake-cli-'));
});

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

function expectOneLineError(stderr: string): void {
  const lines = stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^error: /);
  expect(stderr).not.toMatch(/\n\s+at /); // no stack trace
}

describe('usage and errors', () => {
  it('prints help with examples for the program and every command, exit 0', async () => {
    const main = await runCli(['--help']);
    expect(main.code).toBe(0);
    expect(main.stdout).toContain('Examples:');
    const commands = [
      'ingest',
      'store',
      'get',
      'show',
      'ls',
      'search',
      'update',
      'rm',
      'stats',
      'reindex',
      'check-index',
    ];
    const helps = await Promise.all(commands.map((command) => runCli([command, '--help'])));
    helps.forEach((help, index) => {
      expect(help.code, commands[index]).toBe(0);
      expect(help.stdout, commands[index]).toContain('Examples:');
      expect(help.stdout, commands[index]).toContain('--json');
    });
  });

  it('exits 2 on usage errors', async () => {
    expect((await runCli(['frobnicate'])).code).toBe(2);
    expect((await runCli(['ls', '--type', 'spreadsheet'], { env: { DATALAKE_URL: 'memory:' } })).code).toBe(
      2,
    );
    expect((await runCli(['search'])).code).toBe(2);
    const badUrl = await runCli(['--lake', 'ftp://example.org/lake', 'stats']);
    expect(badUrl.code).toBe(2);
    expectOneLineError(badUrl.stderr);
  });

  it('exits 6 with one line on stderr when the lake cannot be opened; --debug adds the causes', async () => {
    const blocked = join(work, 'a-file');
    await writeFile(blocked, 'not a folder');
    const store = ['store', '-', '--name', 'a.txt'];
    const result = await runCli(['--lake', join(blocked, 'lake'), ...store], { input: 'a' });
    expect(result.code).toBe(6);
    expectOneLineError(result.stderr);
    const debug = await runCli(['--lake', join(blocked, 'lake'), ...store, '--debug'], { input: 'a' });
    expect(debug.code).toBe(6);
    expect(debug.stderr).toMatch(/caused by: /);
    expect(debug.stderr).not.toMatch(/\n\s+at /);
  });

  it('exits 3 with one line for an id that names no entry, or a file or folder that does not exist', async () => {
    const env = { DATALAKE_URL: 'memory:' };
    for (const args of [
      ['get', 'non-existent-id'],
      ['store', join(work, 'missing.sql')],
      ['ingest', join(work, 'missing')],
    ]) {
      const result = await runCli(args, { env });
      expect(result.code, args.join(' ')).toBe(3);
      expectOneLineError(result.stderr);
    }
  });
});

describe('on the memory backend (one command per process)', () => {
  const env = { DATALAKE_URL: 'memory:' };

  it('stores standard input and prints the entry the library returns', async () => {
    const entry = await runJson<Entry>(
      ['store', '-', '--name', 'shop.sql', '--subpath', 'sales', '--meta', 'owner=data'],
      {
        env,
        input: 'CREATE TABLE shop (id INT);\n',
      },
    );
    expect(entry).toMatchObject({
      name: 'shop.sql',
      dataType: 'schema',
      filePath: 'schema/sales/shop.sql',
      size: 28,
    });
    expect(entry.metadata).toMatchObject({ owner: 'data', language: 'sql', lineCount: 1, encoding: 'utf-8' });
  });

  it('ingests a tree and reports what it stored', async () => {
    const tree = join(work, 'mem-tree');
    await mkdir(join(tree, 'db'), { recursive: true });
    await writeFile(join(tree, 'db', 'a.sql'), 'CREATE TABLE a (id INT);\n');
    await writeFile(join(tree, 'README.md'), '# Hello\n');
    const summary = await runJson<IngestSummary>(['ingest', tree], { env });
    expect(summary).toMatchObject({ stored: 2, failed: 0, byType: { schema: 1, documentation: 1 } });
  });
});

describe('on the disk backend', () => {
  let lake: string;
  let source: string;
  const cli = (args: string[], input?: string) => runCli(['--lake', lake, ...args], { input });
  const json = <T>(args: string[], input?: string) => runJson<T>(['--lake', lake, ...args], { input });

  beforeAll(async () => {
    lake = join(work, 'disk-lake');
    source = join(work, 'report.md');
    await writeFile(source, '# Quarterly report\n\nRevenue grew in the north region.\n');
  });

  it('store, show, ls, get, update, search, stats, rm work together', async () => {
    const stored = await json<Entry>(['store', source, '--subpath', 'finance', '--meta-json', 'quarter=3']);
    expect(stored).toMatchObject({ dataType: 'documentation', filePath: 'documentation/finance/report.md' });

    const words = await json<SearchResult>(['search', '--words', 'revenue gre']);
    expect(words.hits.map((hit) => hit.entry.id)).toEqual([stored.id]);

    const shown = await json<Entry>(['show', stored.id]);
    expect(shown).toEqual(stored);
    const byPath = await json<Entry>(['show', '--path', 'documentation/finance/report.md']);
    expect(byPath.id).toBe(stored.id);

    const listed = await json<Entry[]>(['ls', '--type', 'documentation', '--subpath', 'finance']);
    expect(listed).toEqual([stored]);
    expect((await cli(['ls'])).stdout).toContain('documentation/finance/report.md');

    const bytes = (await cli(['get', stored.id])).stdoutBytes;
    expect(bytes.equals(await readFile(source))).toBe(true);
    const output = join(work, 'copy.md');
    expect((await cli(['get', stored.id, '--output', output])).code).toBe(0);
    expect((await readFile(output)).equals(await readFile(source))).toBe(true);

    const updated = await json<Entry>(
      ['update', stored.id, '--content', '-', '--meta-json', 'reviewed=true'],
      'north south\n',
    );
    expect(updated.size).toBe(12);
    expect(updated.metadata).toMatchObject({ quarter: 3, reviewed: true });
    expect(updated.sha256).toBe(createHash('sha256').update('north south\n').digest('hex'));

    const found = await json<SearchResult>(['search', 'SOUTH']);
    expect(found.hits.map((hit) => hit.entry.id)).toEqual([stored.id]);
    const text = await cli(['search', 'south']);
    expect(text.stdout).toContain('documentation/finance/report.md');
    expect(text.stdout).toMatch(/^\s+1: north south$/m);
    expect((await json<SearchResult>(['search', 'SOUTH', '--case-sensitive'])).hits).toEqual([]);
    expect((await json<SearchResult>(['search', 'nor.h\\s', '--regex'])).hits).toHaveLength(1);
    expect((await json<SearchResult>(['search', 'south', '--type', 'schema'])).hits).toEqual([]);
    expect((await json<SearchResult>(['search', 'south', '--meta-json', 'quarter=3'])).hits).toHaveLength(1);
    // The lake's metadata filter compares values by their text: the string "3" finds the number 3.
    expect((await json<SearchResult>(['search', 'south', '--meta', 'quarter=3'])).hits).toHaveLength(1);
    expect((await json<SearchResult>(['search', 'south', '--after', '2000-01-01'])).hits).toHaveLength(1);
    expect((await json<SearchResult>(['search', 'south', '--before', '2000-01-01'])).hits).toEqual([]);
    expect((await cli(['search', 'south', '--regex', '--words'])).code).toBe(2);

    const stats = await json<LakeStats>(['stats']);
    expect(stats).toMatchObject({ totalEntries: 1, updatedEntries: 1, entriesByType: { documentation: 1 } });

    expect(await json<Array<{ id: string; deleted: boolean }>>(['rm', stored.id])).toEqual([
      { id: stored.id, deleted: true },
    ]);
    const again = await cli(['rm', stored.id]);
    expect(again.code).toBe(3);
    expect((await json<Entry[]>(['ls'])).length).toBe(0);
  });

  it('reindex and check-index report on the index', async () => {
    await json<Entry>(['store', source, '--subpath', 'again']);
    const rebuilt = await json<{ documents: number }>(['reindex']);
    expect(rebuilt.documents).toBe(1);
    const check = await cli(['check-index', '--json']);
    expect(check.code).toBe(0);
    expect(JSON.parse(check.stdout)).toMatchObject({ ok: true, entries: 1 });
  });

  it('--dry-run classifies and plans without writing, nor creating the lake; progress goes to stderr', async () => {
    const tree = join(work, 'dry-tree');
    await mkdir(join(tree, 'conf'), { recursive: true });
    await writeFile(join(tree, 'conf', 'app.yaml'), 'server:\n  port: 8080\n');
    await writeFile(
      join(tree, 'notes'),
      'These notes describe how the service is deployed and who owns it.\n',
    );
    const dryLake = join(work, 'dry-lake');
    const result = await runCli(['--lake', dryLake, 'ingest', tree, '--dry-run', '--json']);
    expect(result.code).toBe(0);
    const summary = JSON.parse(result.stdout) as IngestSummary;
    expect(summary.outcomes).toEqual([
      expect.objectContaining({
        path: 'conf/app.yaml',
        action: 'store',
        dataType: 'configuration',
        language: 'yaml',
      }),
      expect.objectContaining({ path: 'notes', action: 'store', dataType: 'documentation', lineCount: 1 }),
    ]);
    expect(
      result.stderr
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line)),
    ).toContainEqual({
      progress: { done: 2, total: 2, bytes: 87, totalBytes: 87 },
    });
    await expect(stat(dryLake)).rejects.toMatchObject({ code: 'ENOENT' });
    const text = await runCli(['--lake', dryLake, 'ingest', tree, '--dry-run', '--no-progress']);
    expect(text.stdout).toMatch(/^store\s+configuration\s+yaml\s+conf\/app\.yaml$/m);
    expect(text.stderr).toBe('');
    const lines = await runCli(['--lake', dryLake, 'ingest', tree, '--dry-run']);
    expect(lines.stderr).toContain('ingest: 2/2 files');
  });

  it('reports a file the lake refuses (a control character in its name) and stores the rest', async () => {
    const tree = join(work, 'odd-tree');
    await mkdir(tree, { recursive: true });
    await writeFile(join(tree, 'good.sql'), 'CREATE TABLE g (id INT);\n');
    await writeFile(join(tree, 'bad\u0001name.sql'), 'CREATE TABLE b (id INT);\n');
    const result = await cli(['ingest', tree, '--json']);
    expect(result.code).toBe(1);
    const summary = JSON.parse(result.stdout) as IngestSummary;
    expect(summary).toMatchObject({ stored: 1, failed: 1 });
    expect(summary.failures[0]?.path).toBe('bad\u0001name.sql');
  });
});
