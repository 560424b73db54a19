import { rm, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Entry } from '@datalake/core';
import { rawJoin, sha256, writeRaw } from '@datalake/test-support/trees';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { walkTree } from '../src/walk.js';
import { changes, ingest, ingestInto, openDiskLake, sourceBytesOf } from './support/ingest.js';
import { scratchFolder } from './support/scratch.js';

const NFC = Buffer.from('caf\u00e9.txt');
const NFD = Buffer.from('cafe\u0301.txt');
/** "Bericht_März.bas" as an old Windows share wrote it (Windows-1252). */
const LATIN1 = Buffer.from([...Buffer.from('Bericht_M'), 0xe4, ...Buffer.from('rz.bas')]);
const UTF8_TWIN = Buffer.from('Bericht_M\u00e4rz.bas');

let work: string;
let tree: string;
let lakeRoot: string;

beforeEach(async () => {
  work = await scratchFolder('datalake-names-');
  tree = join(work, 'tree');
  lakeRoot = join(work, 'lake');
});

afterEach(async () => {
  await rm(work, { recursive: true, force: true });
});

async function entries(): Promise<Entry[]> {
  const lake = await openDiskLake(lakeRoot);
  try {
    return await lake.list();
  } finally {
    await lake.close();
  }
}

async function bytesAt(filePath: string): Promise<string> {
  const lake = await openDiskLake(lakeRoot);
  try {
    return Buffer.from((await lake.retrieveByPath(filePath)).bytes).toString();
  } finally {
    await lake.close();
  }
}

describe('names that differ only in Unicode normalisation (issue 10, case 2)', () => {
  it('stores both files, the NFC one under the plain name, and a re-run changes nothing', async () => {
    writeRaw(tree, [NFC], 'nfc');
    writeRaw(tree, [NFD], 'nfd');
    const first = await ingestInto(lakeRoot, tree);
    expect(first).toMatchObject({ stored: 2, failed: 0, failures: [] });
    for (let run = 0; run < 2; run++) {
      const again = await ingestInto(lakeRoot, tree);
      expect(changes(again)).toEqual({});
      expect(again).toMatchObject({ skipped: 2, failed: 0 });
    }
    const stored = await entries();
    expect(stored.map((entry) => entry.filePath)).toEqual([
      'other/caf\u00e9.txt',
      `other/caf\u00e9~${sha256(NFD).slice(0, 8)}.txt`,
    ]);
    expect(stored.map((entry) => entry.metadata.sourcePath)).toEqual([NFC.toString(), NFD.toString()]);
    expect(stored.every((entry) => entry.metadata.sourcePathBytes === undefined)).toBe(true);
    expect(await bytesAt('other/caf\u00e9.txt')).toBe('nfc');
    expect(await bytesAt(stored[1]?.filePath as string)).toBe('nfd');
  });

  it('disambiguates folders too, so files below NFC and NFD twins of a folder both arrive', async () => {
    writeRaw(tree, ['Caf\u00e9', 'menu.md'], '# NFC\n');
    writeRaw(tree, ['Cafe\u0301', 'menu.md'], '# NFD\n');
    expect(await ingestInto(lakeRoot, tree)).toMatchObject({ stored: 2, failed: 0 });
    const stored = await entries();
    expect(stored.map((entry) => entry.filePath)).toEqual([
      'documentation/Caf\u00e9/menu.md',
      `documentation/Caf\u00e9~${sha256('Cafe\u0301').slice(0, 8)}/menu.md`,
    ]);
    expect(changes(await ingestInto(lakeRoot, tree))).toEqual({});
  });

  it('gives a lone NFD file the NFC name; a twin arriving later takes it over and nothing is lost', async () => {
    writeRaw(tree, [NFD], 'nfd');
    await ingestInto(lakeRoot, tree);
    expect((await entries()).map((entry) => entry.filePath)).toEqual(['other/caf\u00e9.txt']);

    writeRaw(tree, [NFC], 'nfc');
    const summary = await ingestInto(lakeRoot, tree, { prune: true });
    expect(summary).toMatchObject({ failed: 0, pruned: 0 });
    const stored = await entries();
    expect(stored.map((entry) => [entry.filePath, entry.metadata.sourcePath])).toEqual([
      ['other/caf\u00e9.txt', NFC.toString()],
      [`other/caf\u00e9~${sha256(NFD).slice(0, 8)}.txt`, NFD.toString()],
    ]);
    expect(await bytesAt('other/caf\u00e9.txt')).toBe('nfc');
    expect(changes(await ingestInto(lakeRoot, tree, { prune: true }))).toEqual({});
  });

  it('keeps case twins apart without renaming them (the lake is case-sensitive)', async () => {
    writeRaw(tree, ['README.md'], '# upper\n');
    writeRaw(tree, ['readme.md'], '# lower\n');
    await ingestInto(lakeRoot, tree);
    expect((await entries()).map((entry) => entry.filePath)).toEqual([
      'documentation/README.md',
      'documentation/readme.md',
    ]);
  });
});

describe('names that are not UTF-8 (issue 10, case 3)', () => {
  it('reads the file by its raw name, names it in the lake by its Windows-1252 reading, keeps the bytes', async () => {
    writeRaw(tree, [LATIN1], 'Sub A()\nEnd Sub\n');
    const summary = await ingestInto(lakeRoot, tree);
    expect(summary).toMatchObject({ stored: 1, failed: 0, byType: { macro: 1 } });
    const [entry] = await entries();
    expect(entry).toMatchObject({
      filePath: 'macro/Bericht_M\u00e4rz.bas',
      metadata: {
        sourcePath: 'Bericht_M\u00e4rz.bas',
        sourcePathBytes: LATIN1.toString('base64'),
        language: 'vba',
      },
    });
    expect(await bytesAt('macro/Bericht_M\u00e4rz.bas')).toBe('Sub A()\nEnd Sub\n');
    expect(changes(await ingestInto(lakeRoot, tree))).toEqual({});
  });

  it('keeps a legacy name and its UTF-8 twin apart, and prunes exactly the one that is gone', async () => {
    const legacy = writeRaw(tree, ['old', LATIN1], 'Sub Legacy()\nEnd Sub\n');
    writeRaw(tree, ['old', UTF8_TWIN], 'Sub Modern()\nEnd Sub\n');
    await ingestInto(lakeRoot, tree);
    let stored = await entries();
    expect(stored.map((entry) => entry.filePath)).toEqual([
      'macro/old/Bericht_M\u00e4rz.bas',
      `macro/old/Bericht_M\u00e4rz~${sha256(LATIN1).slice(0, 8)}.bas`,
    ]);
    expect(stored.map((entry) => sourceBytesOf(entry).toString('hex'))).toEqual([
      Buffer.from(`old/${UTF8_TWIN}`).toString('hex'),
      rawJoin('old', LATIN1).toString('hex'),
    ]);
    expect(changes(await ingestInto(lakeRoot, tree, { prune: true }))).toEqual({});

    await unlink(legacy);
    const pruned = await ingestInto(lakeRoot, tree, { prune: true });
    expect(changes(pruned)).toEqual({ pruned: 1 });
    stored = await entries();
    expect(stored.map((entry) => entry.filePath)).toEqual(['macro/old/Bericht_M\u00e4rz.bas']);
    expect(await bytesAt('macro/old/Bericht_M\u00e4rz.bas')).toBe('Sub Modern()\nEnd Sub\n');
  });

  it('walks folders whose names are not UTF-8 and reports readable paths', async () => {
    const folder = Buffer.from([0x44, 0xf6, 0x63, 0x73]); // "Döcs"
    writeRaw(tree, [folder, 'a.md'], '# a\n');
    const walked = await walkTree(tree);
    expect(walked.files.map((file) => [file.relativePath, file.lakePath])).toEqual([
      ['D\u00f6cs/a.md', 'D\u00f6cs/a.md'],
    ]);
    expect(walked.files[0]?.rawPath.equals(Buffer.concat([folder, Buffer.from('/a.md')]))).toBe(true);
  });

  it('updates the entry of a legacy-named file whose content changed', async () => {
    writeRaw(tree, [LATIN1], 'Sub A()\nEnd Sub\n');
    const lake = await openDiskLake(lakeRoot);
    try {
      await ingest(lake, tree);
      writeRaw(tree, [LATIN1], 'Sub B()\nEnd Sub\n');
      expect(changes(await ingest(lake, tree))).toEqual({ updated: 1 });
    } finally {
      await lake.close();
    }
    expect(await bytesAt('macro/Bericht_M\u00e4rz.bas')).toBe('Sub B()\nEnd Sub\n');
  });
});
