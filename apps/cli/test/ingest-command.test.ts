import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, readFile, rm, symlink, unlink, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import type { Entry } from '@datalake/core';
import type { IngestSummary } from '@datalake/ingest';
import { sha256, writeRaw } from '@datalake/test-support/trees';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli, runJson } from './support/cli.js';
import { scratchFolder } from './support/scratch.js';

/**
 * The `ingest` command end to end on messy trees (issue 10): what it prints, its JSON and its exit
 * code. The pipeline's own behaviour is tested in the `@datalake/ingest` package.
 */

let work: string;
let tree: string;
let lakeRoot: string;

beforeEach(async () => {
  work = await scratchFolder('datalake-ingest-command-');
  tree = join(work, 'tree');
  lakeRoot = join(work, 'lake');
});

afterEach(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('names that differ only in Unicode normalisation (issue 10, case 2)', () => {
  it('as the issue reproduces it with the command: each run leaves both contents in place', async () => {
    writeRaw(tree, [Buffer.from('caf\u00e9.txt')], 'nfc');
    writeRaw(tree, [Buffer.from('cafe\u0301.txt')], 'nfd');
    const lake = ['--lake', lakeRoot];
    for (let run = 0; run < 3; run++) {
      const result = await runCli([...lake, 'ingest', tree, '--no-progress']);
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect((await runCli([...lake, 'get', '--path', 'other/caf\u00e9.txt'])).stdout).toBe('nfc');
    }
    const listed = await runJson<Entry[]>([...lake, 'ls']);
    expect(listed).toHaveLength(2);
  });
});

describe('names that are not UTF-8 (issue 10, case 3)', () => {
  it('as the issue reproduces it with the command: stored, exit 0', async () => {
    /** "Bericht_März.bas" as an old Windows share wrote it (Windows-1252). */
    const latin1 = Buffer.from([...Buffer.from('Bericht_M'), 0xe4, ...Buffer.from('rz.bas')]);
    writeRaw(tree, [latin1], 'Sub A()\nEnd Sub\n');
    const result = await runCli(['--lake', lakeRoot, 'ingest', tree, '--json', '--no-progress']);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout) as IngestSummary).toMatchObject({ stored: 1, failed: 0 });
  });
});

describe('content deleted by hand in the lake (issue 10, case 7, ingest part)', () => {
  it('the command says how many it repaired', async () => {
    writeRaw(tree, ['db', 'a.sql'], 'CREATE TABLE a (id INT);\n');
    writeRaw(tree, ['db', 'b.sql'], 'CREATE TABLE b (id INT);\n');
    writeRaw(tree, ['notes.md'], '# Notes\n\nKept as they are.\n');
    const first = await runCli(['--lake', lakeRoot, 'ingest', tree, '--no-progress', '--no-fsync']);
    expect(first.code).toBe(0);
    await unlink(join(lakeRoot, 'documentation', 'notes.md'));
    const result = await runCli(['--lake', lakeRoot, 'ingest', tree, '--no-progress']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/skipped 2, repaired 1, failed 0/);
    expect(await readFile(join(lakeRoot, 'documentation', 'notes.md'), 'utf8')).toBe(
      '# Notes\n\nKept as they are.\n',
    );
  });
});

describe('links and special files (issue 10, case 11)', () => {
  let server: Server | undefined;

  beforeEach(async () => {
    await mkdir(join(tree, 'sub'), { recursive: true });
    await mkdir(join(work, 'outside'));
    await writeFile(join(work, 'outside', 'secret.txt'), 'not part of the tree\n');
    await writeFile(join(tree, 'real.sql'), 'CREATE TABLE r (id INT);\n');
    await symlink('real.sql', join(tree, 'link-in.sql'));
    await symlink(join(work, 'outside', 'secret.txt'), join(tree, 'sub', 'link-out.txt'));
    await symlink(join(work, 'outside'), join(tree, 'link-folder'));
    await symlink('nowhere', join(tree, 'dangling'));
    execFileSync('mkfifo', [join(tree, 'sub', 'pipe')]);
    server = createServer();
    const socket = join(tree, 'sock');
    await new Promise<void>((resolve) => server?.listen(socket, resolve));
  });

  afterEach(async () => {
    await new Promise((resolve) => server?.close(resolve));
  });

  it('the command shows them in --json and in its summary, and exits 0', async () => {
    const json = await runCli(['--lake', lakeRoot, 'ingest', tree, '--json', '--no-progress']);
    expect(json.code).toBe(0);
    const summary = JSON.parse(json.stdout) as IngestSummary;
    expect(summary.skippedFiles).toEqual([
      { path: 'dangling', reason: 'symlink' },
      { path: 'link-folder', reason: 'symlink' },
      { path: 'link-in.sql', reason: 'symlink' },
      { path: 'sock', reason: 'socket' },
      { path: 'sub/link-out.txt', reason: 'symlink' },
      { path: 'sub/pipe', reason: 'fifo' },
    ]);
    expect(summary.skippedByReason.symlink).toBe(4);

    const text = await runCli(['--lake', lakeRoot, 'ingest', tree, '--no-progress']);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/not regular files, left out: symlink 4, fifo 1, socket 1/);
    expect(text.stderr).toContain('left out (fifo): sub/pipe');
    expect(text.stderr).toContain('left out (symlink): sub/link-out.txt');
  });
});

describe('two ingests of one tree into one lake at the same time (issue 10, case 6)', () => {
  it('two CLI processes at once: both exit 0 with no failure lines, the lake holds each file once', async () => {
    const paths: string[] = [];
    for (let index = 0; index < 400; index++) {
      const folder = `part-${index % 7}`;
      const [name, content] =
        index % 3 === 0
          ? [`t${index}.sql`, `CREATE TABLE t${index} (id INT);\n`]
          : index % 3 === 1
            ? [`notes-${index}.md`, `# Notes ${index}\n\nSome words about ${index}.\n`]
            : [`app-${index}.yaml`, `name: app${index}\nport: ${8000 + index}\n`];
      writeRaw(tree, [folder, name], content);
      paths.push(`${folder}/${name}`);
    }
    const run = () => runCli(['--lake', lakeRoot, 'ingest', tree, '--json', '--no-progress', '--no-fsync']);
    const results = await Promise.all([run(), run()]);
    for (const result of results) {
      // Notices (the search index catching up on the other run's entries) may appear, as
      // `{"notice": …}` lines under --json; failures may not.
      const lines = result.stderr.split('\n').filter(Boolean);
      const isNotice = (line: string) => Object.keys(JSON.parse(line) as object).join() === 'notice';
      expect(lines.filter((line) => !isNotice(line))).toEqual([]);
      expect(result.code).toBe(0);
      const summary = JSON.parse(result.stdout) as IngestSummary;
      expect(summary).toMatchObject({ files: paths.length, failed: 0 });
      expect(summary.stored + summary.skipped).toBe(paths.length);
    }
    // Every file of the tree is in the lake exactly once, byte-exact.
    const entries = await runJson<Entry[]>(['--lake', lakeRoot, 'ls']);
    expect(entries.map((entry) => entry.metadata.sourcePath).sort()).toEqual([...paths].sort());
    for (const entry of entries) {
      const stored = readFileSync(join(lakeRoot, ...entry.filePath.split('/')));
      expect(sha256(stored)).toBe(sha256(readFileSync(join(tree, String(entry.metadata.sourcePath)))));
      expect(entry.sha256).toBe(sha256(stored));
    }
    const check = await runCli(['--lake', lakeRoot, 'check-index', '--json']);
    expect(JSON.parse(check.stdout)).toMatchObject({ ok: true, entries: paths.length });
  });
});
