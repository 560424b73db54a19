import { mkdir, readdir, utimes, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DiskBackend, INTERNAL_FOLDER } from '../src/index.js';
import { DiskLayout } from '../src/layout.js';
import { deadPid, readText, tempRoot, text } from './helpers.js';

describe('recovery of leftovers on first use', () => {
  it('removes temp files of dead writers and breaks their locks, keeping live ones', async () => {
    const root = await tempRoot();
    const layout = new DiskLayout(root);
    await new DiskBackend({ root }).put('k', text('committed'));
    await mkdir(layout.tempDir, { recursive: true });
    const host = encodeURIComponent(hostname());
    const dead = deadPid();
    const deadTemp = `${host}~${dead}~00aa.tmp`;
    const liveTemp = `${host}~${process.pid}~00bb.tmp`;
    const oldForeignTemp = `elsewhere~1~00cc.tmp`;
    const freshForeignTemp = `elsewhere~1~00dd.tmp`;
    for (const name of [deadTemp, liveTemp, oldForeignTemp, freshForeignTemp]) {
      await writeFile(path.join(layout.tempDir, name), 'half a write');
    }
    const twoDaysAgo = new Date(Date.now() - 2 * 24 * 3600 * 1000);
    await utimes(path.join(layout.tempDir, oldForeignTemp), twoDaysAgo, twoDaysAgo);
    await writeFile(
      layout.lockPath('k'),
      JSON.stringify({ host: hostname(), pid: dead, time: Date.now(), token: 't' }),
    );
    await writeFile(
      layout.lockPath('other'),
      JSON.stringify({ host: 'elsewhere', pid: 1, time: Date.now(), token: 'u' }),
    );

    const disk = new DiskBackend({ root, lockWaitMs: 200 });
    expect(await readText(disk, 'k')).toBe('committed');
    expect((await readdir(layout.tempDir)).sort()).toEqual([freshForeignTemp, liveTemp].sort());
    expect(await readdir(layout.lockDir)).toEqual([path.basename(layout.lockPath('other'))]);
    await disk.put('k', text('after recovery'));
    expect(await readText(disk, 'k')).toBe('after recovery');
    expect((await disk.list('')).objects.map((object) => object.key)).toEqual(['k']);
    expect(await readdir(root)).toContain(INTERNAL_FOLDER);
  });
});
