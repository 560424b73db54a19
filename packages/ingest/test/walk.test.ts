import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { walkTree } from '../src/walk.js';

let root: string;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'datalake-walk-'));
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

async function files(tree: Record<string, string>): Promise<void> {
  for (const [path, content] of Object.entries(tree)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), content);
  }
}

async function walked(options?: Parameters<typeof walkTree>[1]): Promise<string[]> {
  return (await walkTree(root, options)).files.map((file) => file.relativePath);
}

describe('walkTree', () => {
  it('lists every regular file in sorted order with its size', async () => {
    await files({ 'b.sql': 'x', 'a/z.md': 'hello', 'a/b/c.yml': '' });
    const result = await walkTree(root);
    expect(result.files.map((file) => [file.relativePath, file.size])).toEqual([
      ['a/b/c.yml', 0],
      ['a/z.md', 5],
      ['b.sql', 1],
    ]);
  });

  it('skips VCS and dependency folders but keeps other dotfiles and dot-folders', async () => {
    await files({
      '.git/config': 'x',
      '.svn/entries': 'x',
      'node_modules/pkg/index.js': 'x',
      'web/node_modules/pkg/index.js': 'x',
      '.github/workflows/ci.yml': 'x',
      '.gitlab-ci.yml': 'x',
      '.env.example': 'x',
    });
    expect(await walked()).toEqual(['.env.example', '.github/workflows/ci.yml', '.gitlab-ci.yml']);
  });

  it('honours .gitignore files at every level, relative to their own folder', async () => {
    await files({
      '.gitignore': '*.tmp\nbuild/\n',
      'keep.sql': 'x',
      'scratch.tmp': 'x',
      'build/out.sql': 'x',
      'sub/.gitignore': 'secret.txt\n!important.tmp\n/local.md\n',
      'sub/secret.txt': 'x',
      'sub/important.tmp': 'x',
      'sub/local.md': 'x',
      'sub/deeper/local.md': 'x',
      'other/secret.txt': 'x',
    });
    expect(await walked()).toEqual([
      '.gitignore',
      'keep.sql',
      'other/secret.txt',
      'sub/.gitignore',
      'sub/deeper/local.md',
      'sub/important.tmp',
    ]);
  });

  it('leaves out --exclude globs: names anywhere, or paths from the root', async () => {
    await files({ 'a.bak': 'x', 'deep/b.bak': 'x', 'tmp/x.sql': 'x', 'src/tmp/y.sql': 'x', 'c.sql': 'x' });
    expect(await walked({ exclude: ['*.bak', 'tmp/**'] })).toEqual(['c.sql', 'src/tmp/y.sql']);
    expect(await walked({ exclude: ['tmp'] })).toEqual(['a.bak', 'c.sql', 'deep/b.bak']);
  });

  it('does not follow symbolic links and never enters the skipped absolute folders', async () => {
    await files({ 'real/a.sql': 'x', 'lake/.metadata/x.json': '{}' });
    await symlink(join(root, 'real'), join(root, 'link'));
    expect(await walked({ skipAbsolute: [join(root, 'lake')] })).toEqual(['real/a.sql']);
  });

  it('reports an unreadable root instead of throwing', async () => {
    const result = await walkTree(join(root, 'missing'));
    expect(result.files).toEqual([]);
    expect(result.problems).toHaveLength(1);
  });
});
