import { readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Entry } from '@datalake/core';
import { sha256, writeRaw } from '@datalake/test-support/trees';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { IngestSummary } from '../src/ingest.js';
import { ingest, openDiskLake } from './support/ingest.js';
import { scratchFolder } from './support/scratch.js';

let work: string;
let tree: string;
let lakeRoot: string;

beforeEach(async () => {
  work = await scratchFolder('datalake-concurrent-');
  tree = join(work, 'tree');
  lakeRoot = join(work, 'lake');
});

afterEach(async () => {
  await rm(work, { recursive: true, force: true });
});

/** A tree of `count` small files of several types; returns their paths below the tree. */
function makeTree(count: number): string[] {
  const paths: string[] = [];
  for (let index = 0; index < count; index++) {
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
  return paths;
}

/** Every file of the tree is in the lake exactly once, byte-exact. */
async function expectEachFileOnce(paths: string[]): Promise<Entry[]> {
  const lake = await openDiskLake(lakeRoot);
  try {
    const entries = await lake.list();
    expect(entries.map((entry) => entry.metadata.sourcePath).sort()).toEqual([...paths].sort());
    for (const entry of entries) {
      const bytes = await lake.readBytes(entry.id);
      expect(sha256(bytes)).toBe(sha256(readFileSync(join(tree, String(entry.metadata.sourcePath)))));
    }
    return entries;
  } finally {
    await lake.close();
  }
}

describe('two ingests of one tree into one lake at the same time (issue 10, case 6)', () => {
  it('two lake instances that both saw an empty lake: no failures, each file stored once', async () => {
    const paths = makeTree(120);
    const [first, second] = await Promise.all([openDiskLake(lakeRoot), openDiskLake(lakeRoot)]);
    let summaries: IngestSummary[];
    try {
      summaries = await Promise.all([ingest(first, tree), ingest(second, tree)]);
    } finally {
      await Promise.all([first.close(), second.close()]);
    }
    for (const summary of summaries) {
      expect(summary.failures).toEqual([]);
      expect(summary.files).toBe(paths.length);
      expect(summary.stored + summary.skipped).toBe(paths.length);
      expect(summary.skipped).toBe(summary.storedConcurrently);
    }
    // Neither saw the other's entries when it started: whatever one stored, the other found stored.
    expect(summaries.map((summary) => summary.stored).reduce((a, b) => a + b)).toBe(paths.length);
    expect(summaries.map((summary) => summary.storedConcurrently).reduce((a, b) => a + b)).toBe(paths.length);
    await expectEachFileOnce(paths);
  });

  it('a file changed between the two runs is an update of the entry the other run stored', async () => {
    writeRaw(tree, ['a.sql'], 'CREATE TABLE a (id INT);\n');
    const [first, second] = await Promise.all([openDiskLake(lakeRoot), openDiskLake(lakeRoot)]);
    try {
      expect(await ingest(first, tree)).toMatchObject({ stored: 1, failed: 0 });
      writeRaw(tree, ['a.sql'], 'CREATE TABLE a (id INT, name TEXT);\n');
      // `second` opened before `first` stored: it finds the path taken by an older version of the file.
      expect(await ingest(second, tree)).toMatchObject({ stored: 0, updated: 1, failed: 0 });
    } finally {
      await Promise.all([first.close(), second.close()]);
    }
    await expectEachFileOnce(['a.sql']);
  });

  it('an entry of another file at the path is still a conflict, reported', async () => {
    writeRaw(tree, ['a.sql'], 'CREATE TABLE a (id INT);\n');
    const [first, second] = await Promise.all([openDiskLake(lakeRoot), openDiskLake(lakeRoot)]);
    try {
      await first.store({ name: 'a.sql', dataType: 'schema', content: 'something else\n' });
      const summary = await ingest(second, tree);
      expect(summary).toMatchObject({ stored: 0, failed: 1 });
      expect(summary.failures[0]?.error).toMatch(/already taken/);
    } finally {
      await Promise.all([first.close(), second.close()]);
    }
  });
});
