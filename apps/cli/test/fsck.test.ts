import { mkdir, mkdtemp, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Entry, FsckReport } from '@datalake/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, runJson } from './support/cli.js';

let work: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'datalake-fsck-'));
});

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

/** A disk lake of five files, ingested by the command as a user would. */
async function ingestedLake(name: string): Promise<{ lake: string; entries: Entry[] }> {
  const source = join(work, `${name}-src`);
  await mkdir(join(source, 'db'), { recursive: true });
  await writeFile(join(source, 'db', 'orders.sql'), 'CREATE TABLE orders (id int);\n');
  await writeFile(join(source, 'macro.bas'), 'Sub Main()\nEnd Sub\n');
  await writeFile(join(source, 'readme.md'), '# readme\nkept words\n');
  await writeFile(join(source, 'app.log'), 'INFO started\n');
  await writeFile(join(source, 'settings.ini'), '[a]\nb=1\n');
  const lake = join(work, name);
  const ingest = await runCli(['--lake', lake, 'ingest', source, '--no-progress']);
  expect(ingest.code, ingest.stderr).toBe(0);
  const entries = await runJson<Entry[]>(['--lake', lake, 'ls']);
  expect(entries).toHaveLength(5);
  return { lake, entries };
}

function byName(entries: Entry[], name: string): Entry {
  const entry = entries.find((candidate) => candidate.name === name);
  if (!entry) throw new Error(`no entry ${name}`);
  return entry;
}

async function editRecord(
  lake: string,
  id: string,
  edit: (entry: Record<string, unknown>) => void,
): Promise<void> {
  const file = join(lake, '.metadata', `${id}.json`);
  const record = JSON.parse(await readFile(file, 'utf8'));
  edit(record.entry);
  await writeFile(file, JSON.stringify(record));
}

function setField(field: string, value: unknown): (entry: Record<string, unknown>) => void {
  return (entry) => {
    entry[field] = value;
  };
}

/** Damages the lake the ways of the issue, by hand; returns the record keys that were damaged. */
async function damage(lake: string, entries: Entry[]): Promise<{ badKeys: string[]; lost: Entry }> {
  const traversal = byName(entries, 'orders.sql');
  const absolute = byName(entries, 'macro.bas');
  const moved = byName(entries, 'settings.ini');
  const notJson = byName(entries, 'app.log');
  const lost = byName(entries, 'readme.md');
  await editRecord(lake, traversal.id, setField('filePath', '../../../etc/passwd'));
  await editRecord(lake, absolute.id, setField('filePath', '/etc/passwd'));
  await rename(join(lake, '.metadata', `${moved.id}.json`), join(lake, '.metadata', 'renamed-by-hand.json'));
  await writeFile(join(lake, '.metadata', `${notJson.id}.json`), 'not json at all');
  await rm(join(lake, lost.filePath));
  // A record no index has seen yet: opening used to index it, reading "its content" outside the lake.
  const planted = JSON.parse(await readFile(join(lake, '.metadata', `${lost.id}.json`), 'utf8'));
  planted.entry = { ...planted.entry, id: 'planted', filePath: '../../../etc/passwd' };
  await writeFile(join(lake, '.metadata', 'planted.json'), JSON.stringify(planted));
  const badKeys = [
    '.metadata/planted.json',
    `.metadata/${traversal.id}.json`,
    `.metadata/${absolute.id}.json`,
    '.metadata/renamed-by-hand.json',
    `.metadata/${notJson.id}.json`,
  ];
  return { badKeys, lost };
}

describe('a lake with damaged records', () => {
  it('opens, keeps working, and names every bad record in a notice', async () => {
    const { lake, entries } = await ingestedLake('works');
    const { badKeys, lost } = await damage(lake, entries);
    const ls = await runCli(['--lake', lake, 'ls', '--json']);
    expect(ls.code, ls.stderr).toBe(0);
    expect((JSON.parse(ls.stdout) as Entry[]).map((entry) => entry.filePath)).toEqual([lost.filePath]);
    // With --json every line on stderr is a JSON object: the notices name each bad key.
    const notices = ls.stderr
      .split('\n')
      .filter(Boolean)
      .map((line) => (JSON.parse(line) as { notice: string }).notice);
    for (const key of badKeys)
      expect(notices.some((notice) => notice.includes(JSON.stringify(key)))).toBe(true);
    const stats = await runCli(['--lake', lake, 'stats']);
    expect(stats.code, stats.stderr).toBe(0);
    expect(stats.stdout).toContain('entries: 1');
    const stored = await runCli(['--lake', lake, 'store', '-', '--name', 'new.txt', '--type', 'other'], {
      input: 'fresh words',
    });
    expect(stored.code, stored.stderr).toBe(0);
    const search = await runCli(['--lake', lake, 'search', 'fresh words']);
    expect(search.code, search.stderr).toBe(0);
    expect(search.stdout).toContain('other/new.txt');
    const get = await runCli(['--lake', lake, 'get', '--path', 'other/new.txt']);
    expect(get.code, get.stderr).toBe(0);
    expect(get.stdout).toContain('fresh words');
    const rm = await runCli(['--lake', lake, 'rm', '--path', 'other/new.txt']);
    expect(rm.code, rm.stderr).toBe(0);
    expect(await readdir(join(work))).not.toContain('etc');
  });
});

describe('datalake fsck', () => {
  it('exits 0 on a healthy lake', async () => {
    const { lake } = await ingestedLake('healthy');
    const result = await runCli(['--lake', lake, 'fsck']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('checked 5 entries');
    expect(result.stdout).toContain('no problems found');
    const help = await runCli(['fsck', '--help']);
    expect(help.stdout).toContain('Examples:');
    expect(help.stdout).toContain('--repair');
  });

  it('reports each kind, repairs what it can into the quarantine, and a second run finds only lost content', async () => {
    const { lake, entries } = await ingestedLake('repair');
    const { badKeys, lost } = await damage(lake, entries);
    const found = await runCli(['--lake', lake, 'fsck']);
    expect(found.code, found.stderr).toBe(1);
    for (const key of [...badKeys, lost.filePath]) expect(found.stdout).toContain(JSON.stringify(key));
    for (const kind of ['invalid-record', 'missing-content', 'orphaned-content', 'stale-claim'])
      expect(found.stdout).toContain(kind);
    expect(found.stdout).toContain('re-ingest the file or restore it from a backup');
    expect(found.stdout).toContain('datalake fsck --repair');

    const json = await runCli(['--lake', lake, 'fsck', '--json']);
    expect(json.code).toBe(1);
    const report = JSON.parse(json.stdout) as FsckReport;
    expect(report.ok).toBe(false);
    expect(
      report.problems
        .filter((problem) => problem.kind === 'invalid-record')
        .map((p) => p.key)
        .sort(),
    ).toEqual([...badKeys].sort());

    const repaired = await runCli(['--lake', lake, 'fsck', '--repair']);
    expect(repaired.code, repaired.stderr).toBe(1); // the lost content is still lost
    expect(repaired.stdout).toMatch(/repaired \d+, left 1/);
    const quarantine = join(lake, '.quarantine');
    const [run] = await readdir(quarantine);
    for (const key of badKeys) expect((await stat(join(quarantine, run as string, key))).isFile()).toBe(true);
    expect(
      await readFile(join(quarantine, run as string, byName(entries, 'orders.sql').filePath), 'utf8'),
    ).toBe('CREATE TABLE orders (id int);\n');

    const again = await runJson<FsckReport>(['--lake', lake, 'fsck']).catch(() => undefined);
    expect(again).toBeUndefined(); // exit 1: missing content stays reported
    const second = JSON.parse((await runCli(['--lake', lake, 'fsck', '--json'])).stdout) as FsckReport;
    expect(second.problems.map((problem) => [problem.kind, problem.key])).toEqual([
      ['missing-content', lost.filePath],
    ]);
    const ls = await runCli(['--lake', lake, 'ls']);
    expect(ls.stderr).toBe(''); // nothing left out any more
    expect(ls.stdout).not.toContain('.quarantine');
  });

  it('exits 0 after a repair that left nothing, and --quick reads no content', async () => {
    const { lake, entries } = await ingestedLake('clean-after');
    await editRecord(lake, byName(entries, 'app.log').id, setField('size', 'twelve'));
    const repaired = await runCli(['--lake', lake, 'fsck', '--repair']);
    expect(repaired.code, repaired.stdout + repaired.stderr).toBe(0);
    const quick = await runJson<FsckReport>(['--lake', lake, 'fsck', '--quick']);
    expect(quick).toMatchObject({ ok: true, problems: [] });
    expect(quick.checked.contentBytesVerified).toBe(0);
  });

  it('prints stored text escaped: no control character reaches the terminal', async () => {
    const { lake, entries } = await ingestedLake('escapes');
    await editRecord(lake, byName(entries, 'app.log').id, setField('filePath', 'logs/\u001b[31mred\nline'));
    const result = await runCli(['--lake', lake, 'fsck']);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('\\u001b[31mred\\nline');
    // biome-ignore lint/suspicious/noControlCharactersInRegex: the point is that none is printed.
    expect(result.stdout).not.toMatch(/[\u0000-\u0009\u000b-\u001f]/);
    expect(result.stdout.split('\n').filter((line) => line.includes('red')).length).toBeGreaterThan(0);
  });
});
