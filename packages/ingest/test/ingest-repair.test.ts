import { readFile, rm, truncate, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeRaw } from '@datalake/test-support/trees';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { changes, ingest, ingestInto, openDiskLake } from './support/ingest.js';
import { scratchFolder } from './support/scratch.js';

let work: string;
let tree: string;
let lakeRoot: string;

beforeEach(async () => {
  work = await scratchFolder('datalake-repair-');
  tree = join(work, 'tree');
  lakeRoot = join(work, 'lake');
  writeRaw(tree, ['db', 'a.sql'], 'CREATE TABLE a (id INT);\n');
  writeRaw(tree, ['db', 'b.sql'], 'CREATE TABLE b (id INT);\n');
  writeRaw(tree, ['notes.md'], '# Notes\n\nKept as they are.\n');
});

afterEach(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('content deleted or cut short by hand in the lake (issue 10, case 7, ingest part)', () => {
  it('is written again by the next ingest, and the entry reads back byte-exact', async () => {
    await ingestInto(lakeRoot, tree);
    await unlink(join(lakeRoot, 'schema', 'db', 'a.sql'));
    await truncate(join(lakeRoot, 'schema', 'db', 'b.sql'), 3);

    const dry = await ingestInto(lakeRoot, tree, { dryRun: true });
    expect(dry.outcomes?.map((outcome) => [outcome.path, outcome.action])).toEqual([
      ['db/a.sql', 'repair'],
      ['db/b.sql', 'repair'],
      ['notes.md', 'skip'],
    ]);
    await expect(readFile(join(lakeRoot, 'schema', 'db', 'a.sql'))).rejects.toThrow(/ENOENT/);

    const summary = await ingestInto(lakeRoot, tree);
    expect(summary).toMatchObject({ repaired: 2, skipped: 1, failed: 0 });
    expect(changes(summary)).toEqual({ repaired: 2 });
    const lake = await openDiskLake(lakeRoot);
    try {
      for (const entry of await lake.list()) {
        const bytes = await lake.readBytes(entry.id);
        expect(Buffer.from(bytes).equals(await readFile(join(tree, String(entry.metadata.sourcePath))))).toBe(
          true,
        );
      }
      expect(changes(await ingest(lake, tree))).toEqual({});
    } finally {
      await lake.close();
    }
  });

  it('a changed file is still an update, not a repair', async () => {
    await ingestInto(lakeRoot, tree);
    await writeFile(join(tree, 'db', 'a.sql'), 'CREATE TABLE a (id INT, v TEXT);\n');
    expect(changes(await ingestInto(lakeRoot, tree))).toEqual({ updated: 1 });
  });
});
