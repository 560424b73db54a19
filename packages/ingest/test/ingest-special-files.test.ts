import { execFileSync } from 'node:child_process';
import { mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ingestInto } from './support/ingest.js';
import { scratchFolder } from './support/scratch.js';

let work: string;
let tree: string;
let lakeRoot: string;
let server: Server | undefined;

beforeEach(async () => {
  work = await scratchFolder('datalake-special-');
  tree = join(work, 'tree');
  lakeRoot = join(work, 'lake');
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
  await rm(work, { recursive: true, force: true });
});

const expectedSkips = [
  { path: 'dangling', reason: 'symlink' },
  { path: 'link-folder', reason: 'symlink' },
  { path: 'link-in.sql', reason: 'symlink' },
  { path: 'sock', reason: 'socket' },
  { path: 'sub/link-out.txt', reason: 'symlink' },
  { path: 'sub/pipe', reason: 'fifo' },
];

describe('links and special files (issue 10, case 11)', () => {
  it('are counted and listed with their reason, never followed or read', async () => {
    const summary = await ingestInto(lakeRoot, tree);
    expect(summary).toMatchObject({ stored: 1, failed: 0, ignored: 0 });
    expect(summary.skippedFiles).toEqual(expectedSkips);
    expect(summary.skippedByReason).toMatchObject({ symlink: 4, fifo: 1, socket: 1, 'block-device': 0 });
  });

  it('left out by --exclude they are ignored, not listed', async () => {
    const summary = await ingestInto(lakeRoot, tree, { exclude: ['link-*', 'sub'] });
    expect(summary.ignored).toBe(3);
    expect(summary.skippedFiles.map((skipped) => skipped.path)).toEqual(['dangling', 'sock']);
  });
});
