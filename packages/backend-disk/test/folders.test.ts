import { describe, expect, it } from 'vitest';
import { type DiskFs, makeFolders } from '../src/disk-fs.js';

function errno(code: string): Error {
  return Object.assign(new Error(code), { code });
}

describe('makeFolders', () => {
  it('fails instead of looping where a parent exists but the child can never be made', async () => {
    // The shape of /proc: "/proc" exists, "/proc/nope" can never be created.
    const calls: string[] = [];
    const fs = {
      mkdir: async (path: string) => {
        calls.push(path);
        throw errno(path === '/proc' ? 'EEXIST' : 'ENOENT');
      },
    } as unknown as DiskFs;
    await expect(makeFolders(fs, '/proc/nope/lake/.datalake-disk/tmp')).rejects.toMatchObject({
      code: 'ENOENT',
    });
    expect(calls.length).toBeLessThan(10);
  });

  it('creates every missing level, tolerating a racing creator', async () => {
    const existing = new Set(['/', '/a']);
    const fs = {
      mkdir: async (path: string) => {
        const parent = path.slice(0, path.lastIndexOf('/')) || '/';
        if (existing.has(path)) throw errno('EEXIST');
        if (!existing.has(parent)) throw errno('ENOENT');
        existing.add(path);
      },
    } as unknown as DiskFs;
    await makeFolders(fs, '/a/b/c/d');
    expect([...existing].sort()).toEqual(['/', '/a', '/a/b', '/a/b/c', '/a/b/c/d']);
    await makeFolders(fs, '/a/b/c/d');
  });
});
