import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DataType, type Entry } from '@datalake/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ArchiveError, copyLake, restoreBackup, verifyBackup } from '../src/index.js';
import { CHECKSUMS_MEMBER, contentMember, MANIFEST_MEMBER } from '../src/layout.js';
import { encodeLine } from '../src/manifest.js';
import { entryFor, handMadeTar, manifestOf } from './support/archives.js';
import { allIds, historied, historyView } from './support/history.js';
import { backupToFile, openDiskLake, openMemoryLake, sha256, useScratch } from './support/lakes.js';

const scratch = useScratch('history');

describe('history through backup and restore, and copy', () => {
  it('a restored lake answers history, asOf, undelete and diff like the original (disk → memory)', async () => {
    const folder = await scratch();
    const source = await openDiskLake(join(folder, 'source'));
    const { doc, gone, big } = await historied(source);
    const file = join(folder, 'history.tar.gz');
    const report = await backupToFile(source, file, { gzip: true });
    expect(report).toMatchObject({ format: 2, deleted: 1, unreadable: [] });
    const verified = await verifyBackup(file, { against: source });
    expect(verified).toMatchObject({ format: 2, deleted: 1, against: { matches: true } });

    const target = await openMemoryLake();
    const restored = await restoreBackup(file, target);
    expect(restored).toMatchObject({ history: true, deletedEntries: 1, failed: [] });
    const ids = await allIds(source, [gone.id]);
    expect(await allIds(target, [gone.id])).toEqual(ids);
    expect(await target.list()).toEqual(await source.list());
    expect(await historyView(target, ids)).toEqual(await historyView(source, ids));
    const moment = (await source.history(doc.id)).versions.at(-2)?.at as string;
    expect(await target.list({ asOf: moment })).toEqual(await source.list({ asOf: moment }));
    expect(await target.diff(doc.id, 1, 2)).toEqual(await source.diff(doc.id, 1, 2));
    expect(await target.retention.rules()).toMatchObject({ rules: (await source.retention.rules()).rules });
    expect(await target.retention.holds(doc.id)).toEqual(await source.retention.holds(doc.id));
    // Run again: nothing left to do.
    const again = await restoreBackup(file, target);
    expect(again).toMatchObject({ created: [], advanced: [], deletedEntries: 0, keptContents: 0 });
    const back = await target.undelete(gone.id);
    expect(Buffer.from(await target.readBytes(back.id)).toString()).toBe('bye bye');
    expect((await target.history(big.id)).versions.map((version) => version.op)).toEqual([
      'undelete',
      'delete',
      'update',
      'store',
    ]);
    await source.close();
  });

  it('copy carries history both ways and brings changed entries forward (memory ↔ disk)', async () => {
    const folder = await scratch();
    const source = await openMemoryLake();
    const { doc, gone } = await historied(source);
    const target = await openDiskLake(join(folder, 'target'));
    const first = await copyLake(source, target, { verify: true });
    expect(first).toMatchObject({ history: true, deletedEntries: 1, failed: [] });
    const ids = await allIds(source, [gone.id]);
    expect(await historyView(target, ids)).toEqual(await historyView(source, ids));
    expect(await target.list()).toEqual(await source.list());

    await source.update(doc.id, { content: '# three\n' });
    const second = await copyLake(source, target);
    expect(second).toMatchObject({ updated: 1, created: 0, deletedEntries: 0, failed: [] });
    expect(await historyView(target, ids)).toEqual(await historyView(source, ids));

    const back = await openMemoryLake();
    await copyLake(target, back);
    expect(await historyView(back, ids)).toEqual(await historyView(source, ids));
    await target.close();
  });

  it('restores a format 1 archive, keeping ids and timestamps', async () => {
    const folder = await scratch();
    const entries = [
      entryFor('schema/a.sql', 'select 1;', 'id-a'),
      entryFor('documentation/b.md', 'b', 'id-b'),
    ];
    entries[1] = { ...(entries[1] as Entry), updatedAt: '2026-02-01T00:00:00.000Z', metadata: { k: 1 } };
    const members = [manifestOf(entries)];
    for (const body of ['select 1;', 'b'])
      members.push({ name: contentMember(sha256(Buffer.from(body))), body });
    const listed = members.map((member) => {
      const bytes = Buffer.from(member.body ?? '');
      return encodeLine({ member: member.name, size: bytes.byteLength, sha256: sha256(bytes) });
    });
    members.push({ name: CHECKSUMS_MEMBER, body: listed.join('') });
    expect(String(members[0]?.body)).toContain('"format":1');
    const file = join(folder, 'format1.tar');
    await writeFile(file, await handMadeTar(members));
    const target = await openMemoryLake();
    expect(await restoreBackup(file, target)).toMatchObject({
      created: ['documentation/b.md', 'schema/a.sql'],
    });
    expect(await target.list()).toEqual([...entries].sort((a, b) => a.filePath.localeCompare(b.filePath)));
    expect((await target.history('id-b')).versions).toMatchObject([
      { version: 1, at: '2026-02-01T00:00:00.000Z' },
    ]);
  });

  it('refuses a format 2 archive whose version names content it lacks, or lies about sizes', async () => {
    const folder = await scratch();
    const source = await openMemoryLake();
    await historied(source);
    const file = join(folder, 'good.tar');
    await backupToFile(source, file);
    const { readMembers } = await import('../src/archive-reader.js');
    const members: { name: string; body: Buffer }[] = [];
    for await (const member of readMembers(file, () => Number.MAX_SAFE_INTEGER)) {
      const chunks: Buffer[] = [];
      for await (const chunk of member.body) chunks.push(Buffer.from(chunk));
      members.push({ name: member.name, body: Buffer.concat(chunks) });
    }
    const rebuild = async (edit: (manifest: string) => string, name: string) => {
      const edited = members.map((member) =>
        member.name === MANIFEST_MEMBER
          ? { ...member, body: Buffer.from(edit(member.body.toString())) }
          : member,
      );
      const sums = edited
        .filter((member) => member.name !== CHECKSUMS_MEMBER)
        .map((member) =>
          encodeLine({ member: member.name, size: member.body.byteLength, sha256: sha256(member.body) }),
        );
      const last = edited.findIndex((member) => member.name === CHECKSUMS_MEMBER);
      edited[last] = { name: CHECKSUMS_MEMBER, body: Buffer.from(sums.join('')) };
      const path = join(folder, name);
      await writeFile(path, await handMadeTar(edited));
      return path;
    };
    const lines = (text: string) =>
      text
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line));
    // A version of an entry pointing at content that is declared nowhere.
    const missing = await rebuild((text) => {
      const out = lines(text).map((line) => {
        if (line.entry && line.versions && line.versions.length > 1) line.versions[0].sha256 = 'a'.repeat(64);
        return line;
      });
      return out.map((line) => encodeLine(line)).join('');
    }, 'missing.tar');
    // A version whose size is not the size of its content.
    const lying = await rebuild((text) => {
      const out = lines(text).map((line) => {
        if (line.entry && line.versions && line.versions.length > 1) line.versions[0].size += 1;
        return line;
      });
      return out.map((line) => encodeLine(line)).join('');
    }, 'lying.tar');
    for (const path of [missing, lying]) {
      const target = await openMemoryLake();
      await expect(restoreBackup(path, target)).rejects.toThrow(ArchiveError);
      await expect(verifyBackup(path)).rejects.toMatchObject({ problem: 'manifest' });
      expect(await target.list()).toEqual([]);
    }
  });

  it('random histories survive backup and restore equal', async () => {
    const folder = await scratch();
    const step = fc.oneof(
      fc.record({ kind: fc.constant('update' as const), text: fc.string({ maxLength: 20 }) }),
      fc.record({ kind: fc.constant('meta' as const), value: fc.integer() }),
      fc.record({ kind: fc.constant('delete' as const) }),
      fc.record({ kind: fc.constant('restore' as const), to: fc.nat() }),
    );
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(step, { maxLength: 6 }), { minLength: 1, maxLength: 4 }),
        async (plans) => {
          const source = await openMemoryLake();
          const ids: string[] = [];
          for (const [index, plan] of plans.entries()) {
            const entry = await source.store({
              name: `e${index}.txt`,
              content: `start ${index}`,
              dataType: DataType.OTHER,
            });
            ids.push(entry.id);
            let deleted = false;
            for (const change of plan) {
              if (change.kind === 'delete') {
                if (deleted) await source.undelete(entry.id);
                else await source.delete(entry.id);
                deleted = !deleted;
              } else if (deleted) continue;
              else if (change.kind === 'update') await source.update(entry.id, { content: change.text });
              else if (change.kind === 'meta')
                await source.update(entry.id, { metadata: { value: change.value } });
              else {
                const count = (await source.history(entry.id)).versions.length;
                const version = (await source.history(entry.id)).versions[change.to % count];
                if (version && !version.deleted) await source.restore(entry.id, version.version);
              }
            }
          }
          const file = join(folder, `random-${run++}.tar`);
          await backupToFile(source, file);
          const target = await openMemoryLake();
          const report = await restoreBackup(file, target);
          expect(report.failed).toEqual([]);
          expect(await target.list()).toEqual(await source.list());
          expect(await historyView(target, ids)).toEqual(await historyView(source, ids));
        },
      ),
      { numRuns: 15 },
    );
  });
});

describe('a killed restore of an archive with history', () => {
  it('is completed by a second run, equal to the original', async () => {
    const { spawnSync } = await import('node:child_process');
    const { fileURLToPath } = await import('node:url');
    const folder = await scratch();
    const source = await openMemoryLake();
    const { gone } = await historied(source);
    const file = join(folder, 'history.tar');
    await backupToFile(source, file);
    const root = join(folder, 'target');
    const child = spawnSync(
      process.execPath,
      [
        '--conditions=@datalake/source',
        '--import',
        'tsx',
        fileURLToPath(new URL('./support/restore-child.ts', import.meta.url)),
        file,
        root,
        '4',
      ],
      { cwd: fileURLToPath(new URL('../../..', import.meta.url)), encoding: 'utf8', timeout: 120_000 },
    );
    expect(child.signal, child.stderr).toBe('SIGKILL');
    const target = await openDiskLake(root);
    const partial = (await target.list()).length;
    expect(partial).toBeGreaterThan(0);
    expect(partial).toBeLessThan((await source.list()).length);
    const second = await restoreBackup(file, target);
    expect(second.failed).toEqual([]);
    expect(second.unchanged).toBeGreaterThan(0);
    const ids = await allIds(source, [gone.id]);
    expect(await target.list()).toEqual(await source.list());
    expect(await historyView(target, ids)).toEqual(await historyView(source, ids));
    expect((await target.fsck()).problems).toEqual([]);
    await target.close();
  });
});
