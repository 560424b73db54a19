import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type {
  Entry,
  EntryHistory,
  EntryHolds,
  RetentionPlan,
  RetentionRules,
  VersionDiff,
} from '@datalake/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, runJson } from './support/cli.js';

let work: string;
let lake: string;
const cli = (args: string[], input?: string) => runCli(['--lake', lake, ...args], { input });
const json = <T>(args: string[], input?: string) => runJson<T>(['--lake', lake, ...args], { input });

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'datalake-history-'));
  lake = join(work, 'lake');
});

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('history commands', () => {
  it('history, get --at-version, diff, restore, rm and undelete, ls --as-of', async () => {
    const file = join(work, 'app.cfg');
    await writeFile(file, 'port=1\n');
    const stored = await json<Entry>(['store', file]);
    const before = new Date().toISOString();
    await new Promise((resolve) => setTimeout(resolve, 20));
    await writeFile(file, 'port=2\n');
    await json<Entry>(['update', stored.id, '--content', file, '--author', 'ada', '--message', 'new port']);

    const history = await json<EntryHistory>(['history', stored.id]);
    expect(history.versions.map((version) => [version.version, version.op])).toEqual([
      [2, 'update'],
      [1, 'store'],
    ]);
    expect(history.versions[0]).toMatchObject({ author: 'ada', message: 'new port' });
    const byPath = await json<EntryHistory>(['history', '--path', stored.filePath, '--limit', '1']);
    expect(byPath.versions).toHaveLength(1);
    expect(byPath.cursor).toBe('2');

    const old = await cli(['get', stored.id, '--at-version', '1']);
    expect(old.code).toBe(0);
    expect(old.stdout).toBe('port=1\n');

    const diff = await json<VersionDiff>(['diff', stored.id, '1']);
    expect(diff).toMatchObject({ from: 1, to: 2, binary: false });
    expect(diff.content).toContain('+port=2');
    const text = await cli(['diff', stored.id, '1', '2']);
    expect(text.stdout).toContain('-port=1');

    const asOf = await json<Entry[]>(['ls', '--as-of', before]);
    expect(asOf.map((entry) => entry.sha256)).toEqual([stored.sha256]);

    const restored = await json<Entry>(['restore', stored.id, '1', '--message', 'back']);
    expect(restored.sha256).toBe(stored.sha256);
    expect((await cli(['rm', stored.id, '--message', 'gone'])).code).toBe(0);
    const afterDelete = await json<EntryHistory>(['history', stored.id]);
    expect(afterDelete.deleted).toBe(true);
    expect(afterDelete.versions[0]).toMatchObject({ op: 'delete', message: 'gone' });
    const [back] = await json<Entry[]>(['undelete', stored.id]);
    expect(back?.filePath).toBe(stored.filePath);

    const missing = await cli(['history', 'no-such-entry', '--json']);
    expect(missing.code).toBe(3);
    expect(JSON.parse(missing.stderr).error.code).toBe('NOT_FOUND');
    expect((await cli(['restore', stored.id, '0'])).code).toBe(2);
  });

  it('retention rules, holds, plan and apply', async () => {
    const file = join(work, 'notes.md');
    await writeFile(file, 'one');
    const entry = await json<Entry>(['store', file, '--subpath', 'ret']);
    for (const content of ['two', 'three']) {
      await writeFile(file, content);
      await json<Entry>(['update', entry.id, '--content', file]);
    }
    const rules = join(work, 'rules.json');
    await writeFile(
      rules,
      JSON.stringify([{ name: 'docs', match: { pathPrefix: 'documentation/ret' }, keepLastVersions: 1 }]),
    );
    const saved = await json<RetentionRules>(['retention', 'set-rules', rules, '--author', 'ops']);
    expect(saved).toMatchObject({ version: 1, author: 'ops' });
    expect((await json<RetentionRules>(['retention', 'rules'])).rules[0]?.name).toBe('docs');

    const held = await json<EntryHolds>(['retention', 'hold', entry.id, '--reason', 'case 7']);
    expect(held.legalHold?.reason).toBe('case 7');
    const refused = await cli(['rm', entry.id, '--json']);
    expect(refused.code).toBe(4);
    expect(JSON.parse(refused.stderr.trim().split('\n')[0] as string).error.code).toBe('RETENTION');
    expect((await json<RetentionPlan>(['retention', 'plan'])).versions).toEqual([]);
    await json<EntryHolds>(['retention', 'release', entry.id]);

    const plan = await json<RetentionPlan>(['retention', 'plan']);
    expect(plan.versions[0]?.versions.map((version) => version.version)).toEqual([1, 2]);
    await json<RetentionPlan>(['retention', 'apply']);
    const history = await json<EntryHistory>(['history', entry.id]);
    expect(history.versions.map((version) => version.version)).toEqual([3]);

    const retained = await json<EntryHolds>([
      'retention',
      'retain',
      entry.id,
      '--until',
      '2999-01-01',
      '--mode',
      'compliance',
    ]);
    expect(retained.retainUntil?.mode).toBe('compliance');
    expect((await cli(['retention', 'retain', entry.id, '--until', 'none', '--override'])).code).toBe(4);
    expect(
      (await cli(['retention', 'retain', entry.id, '--until', '2999-01-01', '--mode', 'sometimes'])).code,
    ).toBe(2);
  });
});
