import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CorruptDataError } from '@datalake/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ArchiveError, type ArchiveProblem, restoreBackup, verifyBackup } from '../src/index.js';
import { contentMember } from '../src/layout.js';
import {
  checksumsOf,
  contentOf,
  entryFor,
  filesBelow,
  gzip,
  type HandMember,
  handMadeTar,
  manifestOf,
} from './support/archives.js';
import { backupToFile, fillLake, openDiskLake, useScratch } from './support/lakes.js';

const scratch = useScratch('hostile');

/** A valid hand-made backup of two entries, as members (checksums last). */
function validMembers(): HandMember[] {
  const a = entryFor('schema/a.sql', 'CREATE TABLE a (x int);\n');
  const b = entryFor('documentation/sub/b.md', '# b\n');
  const members = [manifestOf([a, b]), contentOf('CREATE TABLE a (x int);\n'), contentOf('# b\n')];
  return [...members, checksumsOf(members)];
}

/** Restoring `archive` is refused with `problem`, and the target lake's folder gets no entry. */
async function expectRefused(archive: Buffer, problem: ArchiveProblem): Promise<void> {
  const folder = await scratch();
  const file = join(folder, 'hostile.tar');
  await writeFile(file, archive);
  const error = await verifyBackup(file).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ArchiveError);
  expect(error).toBeInstanceOf(CorruptDataError);
  expect((error as ArchiveError).problem).toBe(problem);
  expect((error as ArchiveError).code).toBe('CORRUPT');

  const lakeRoot = join(folder, 'lake');
  const lake = await openDiskLake(lakeRoot);
  await expect(restoreBackup(file, lake)).rejects.toMatchObject({ problem });
  expect(await lake.list()).toEqual([]);
  await lake.close();
  const visible = (await filesBelow(lakeRoot)).filter((path) => !path.startsWith('.'));
  expect(visible).toEqual([]);
  expect(await filesBelow(join(lakeRoot, '.metadata'))).toEqual([]);
}

describe('hostile and broken archives are refused, nothing restored', () => {
  it('accepts the valid hand-made archive these tests damage', async () => {
    const folder = await scratch();
    const file = join(folder, 'valid.tar');
    await writeFile(file, await handMadeTar(validMembers()));
    expect(await verifyBackup(file)).toMatchObject({ entries: 2, contents: 2 });
    const lake = await openDiskLake(join(folder, 'lake'));
    expect((await restoreBackup(file, lake)).created).toEqual(['documentation/sub/b.md', 'schema/a.sql']);
    await lake.close();
  });

  it('refuses an absolute member path', async () => {
    const members = validMembers();
    members.splice(1, 0, { name: '/etc/passwd', body: 'root::0:0' });
    await expectRefused(await handMadeTar(members), 'unsafe-path');
  });

  it('refuses a ".." member path', async () => {
    const members = validMembers();
    members.splice(1, 0, { name: 'datalake-backup/../../evil', body: 'x' });
    await expectRefused(await handMadeTar(members), 'unsafe-path');
  });

  it('refuses symbolic and hard links', async () => {
    for (const type of ['symlink', 'link'] as const) {
      const members = validMembers();
      members.splice(1, 0, { name: contentMember('a'.repeat(64)), type, linkname: '/etc/passwd' });
      await expectRefused(await handMadeTar(members), 'link');
    }
  });

  it('refuses a content member larger than the manifest says', async () => {
    const members = validMembers();
    const content = members[1] as HandMember;
    members[1] = { ...content, size: 10 * 1024 * 1024 };
    await expectRefused(await handMadeTar(members), 'oversized');
  });

  it('refuses an entry whose filePath leaves the lake', async () => {
    const evil = { ...entryFor('schema/a.sql', 'x'), filePath: '../../etc/passwd' };
    const members = [manifestOf([evil]), contentOf('x')];
    await expectRefused(await handMadeTar([...members, checksumsOf(members)]), 'manifest');
  });

  it('refuses a manifest of a newer format, saying so', async () => {
    const members = validMembers();
    const manifest = members[0] as HandMember;
    members[0] = { ...manifest, body: String(manifest.body).replace('"format":1', '"format":3') };
    members[members.length - 1] = checksumsOf(members.slice(0, -1));
    await expectRefused(await handMadeTar(members), 'manifest');
    const folder = await scratch();
    await writeFile(join(folder, 'newer.tar'), await handMadeTar(members));
    await expect(verifyBackup(join(folder, 'newer.tar'))).rejects.toThrow(/newer than this version reads/);
  });

  it('refuses content that does not match its SHA-256', async () => {
    const a = entryFor('schema/a.sql', 'the real content');
    const members = [manifestOf([a]), { name: contentMember(a.sha256), body: 'the fake content' }];
    await expectRefused(await handMadeTar([...members, checksumsOf(members)]), 'checksum');
  });

  it('refuses a member whose checksum is wrong', async () => {
    const members = validMembers();
    const checksums = members.pop() as HandMember;
    const tampered = String(checksums.body).replace(/"sha256":"[0-9a-f]/, '"sha256":"x');
    await expectRefused(await handMadeTar([...members, { ...checksums, body: tampered }]), 'checksum');
  });

  it('refuses an archive without checksums, or with members after them', async () => {
    const members = validMembers();
    await expectRefused(await handMadeTar(members.slice(0, -1)), 'truncated');
    await expectRefused(await handMadeTar([...members, contentOf('late')]), 'structure');
  });

  it('refuses members the format does not have, or in the wrong order', async () => {
    const members = validMembers();
    await expectRefused(
      await handMadeTar([{ name: 'datalake-backup/extra.txt', body: 'x' }, ...members]),
      'structure',
    );
    await expectRefused(
      await handMadeTar([members[1] as HandMember, members[0] as HandMember, ...members.slice(2)]),
      'structure',
    );
  });

  it('refuses what is not a tar stream at all', async () => {
    await expectRefused(
      Buffer.from('this is not an archive, just text that goes on\n'.repeat(40)),
      'structure',
    );
  });

  it('refuses a decompression bomb', async () => {
    // A valid archive followed by 64 MiB of zeros: about 64 KiB once compressed.
    const archive = Buffer.concat([await handMadeTar(validMembers()), Buffer.alloc(64 * 1024 * 1024)]);
    const bomb = gzip(archive);
    expect(bomb.byteLength).toBeLessThan(1024 * 1024);
    await expectRefused(bomb, 'decompression-bomb');
  });

  it('refuses every truncation of a real backup, plain and compressed', async () => {
    const folder = await scratch();
    const lake = await openDiskLake(join(folder, 'source'));
    await fillLake(lake);
    for (const compressed of [false, true]) {
      const file = join(folder, compressed ? 'whole.tar.gz' : 'whole.tar');
      await backupToFile(lake, file, { gzip: compressed });
      const whole = await readFile(file);
      await fc.assert(
        fc.asyncProperty(fc.integer({ min: 0, max: whole.byteLength - 1 }), async (length) => {
          const cut = join(folder, `cut-${length}`);
          await writeFile(cut, whole.subarray(0, length));
          const error = await verifyBackup(cut).then(
            () => undefined,
            (caught: unknown) => caught,
          );
          expect(error).toBeInstanceOf(ArchiveError);
          expect(['truncated', 'structure']).toContain((error as ArchiveError).problem);
        }),
        { numRuns: 40 },
      );
    }
    await lake.close();
  });

  it('refuses any single flipped byte of a real backup', async () => {
    const folder = await scratch();
    const lake = await openDiskLake(join(folder, 'source'));
    await fillLake(lake);
    const file = join(folder, 'whole.tar');
    await backupToFile(lake, file);
    const whole = await readFile(file);
    // The tar's used part: member headers and bodies (a flip in the zero padding changes nothing the backup holds).
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: whole.byteLength - 1 }),
        fc.integer({ min: 1, max: 255 }),
        async (at, xor) => {
          const damaged = Buffer.from(whole);
          damaged[at] = (damaged[at] as number) ^ xor;
          const path = join(folder, `flip-${at}-${xor}`);
          await writeFile(path, damaged);
          const outcome = await verifyBackup(path).then(
            () => 'accepted',
            (caught: unknown) => caught,
          );
          if (outcome === 'accepted') {
            // Only bytes no reader looks at (padding, unused header fields) may be flipped unnoticed.
            expect(isPadding(whole, at)).toBe(true);
          } else expect(outcome).toBeInstanceOf(CorruptDataError);
        },
      ),
      { numRuns: 60 },
    );
    await lake.close();
  });
});

/** Whether byte `at` of a tar is zero padding or a header field other than name, size, type and checksum. */
function isPadding(tarBytes: Buffer, at: number): boolean {
  let offset = 0;
  while (offset + 512 <= tarBytes.byteLength) {
    const header = tarBytes.subarray(offset, offset + 512);
    if (header.every((byte) => byte === 0)) return at >= offset;
    const size = Number.parseInt(header.subarray(124, 136).toString().replace(/\0.*$/, '').trim() || '0', 8);
    if (at < offset + 512) {
      const field = at - offset;
      const meaningful =
        field < 100 ||
        (field >= 124 && field < 136) ||
        (field >= 148 && field < 157) ||
        (field >= 257 && field < 265) ||
        (field >= 345 && field < 500);
      return !meaningful;
    }
    const bodyEnd = offset + 512 + size;
    if (at < bodyEnd) return false;
    offset += 512 + Math.ceil(size / 512) * 512;
    if (at < offset) return true;
  }
  return true;
}
