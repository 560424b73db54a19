import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { BackendError, ClosedError, ConflictError, PutMode, ValidationError } from '@datalake/core';
import { describe, expect, it } from 'vitest';
import { DiskBackend, INTERNAL_FOLDER } from '../src/index.js';
import { allKeys, bytesOf, chunked, randomBytes, readText, tempRoot, text } from './helpers.js';

async function backend(options: { fsync?: boolean } = {}) {
  const root = await tempRoot();
  return { root, disk: new DiskBackend({ root, fsync: options.fsync ?? false }) };
}

describe('DiskBackend on real files', () => {
  it('stores an object as a plain file at the key path', async () => {
    const { root, disk } = await backend({ fsync: true });
    const result = await disk.put('schema/finance/orders.sql', text('CREATE TABLE orders (id int);'));
    expect(result.size).toBe(29);
    expect(await readFile(path.join(root, 'schema', 'finance', 'orders.sql'), 'utf8')).toBe(
      'CREATE TABLE orders (id int);',
    );
    const info = await disk.head('schema/finance/orders.sql');
    expect(info).toMatchObject({ key: 'schema/finance/orders.sql', size: 29, etag: result.etag });
    expect(disk.description).toBe(`disk:${root}`);
    expect(disk.capabilities).toEqual({
      atomicConditionalWrites: true,
      atomicConditionalDeletes: true,
      sharedAcrossProcesses: true,
      persistent: true,
      objectMetadata: true,
      delimiterListing: true,
      copy: false,
    });
  });

  it('copies by hard link without fsync, and by writing a file of its own with fsync', async () => {
    for (const fsync of [false, true]) {
      const { root, disk } = await backend({ fsync });
      expect(disk.capabilities.copy).toBe(!fsync);
      const written = await disk.put('logs/app.log', text('line one\n'));
      const copied = await disk.copy('logs/app.log', 'kept/app.log', {
        mode: PutMode.create,
        ifSourceMatch: written.etag,
      });
      expect(copied?.size).toBe(9);
      const [source, copy] = await Promise.all([
        stat(path.join(root, 'logs', 'app.log')),
        stat(path.join(root, 'kept', 'app.log')),
      ]);
      expect(copy.ino === source.ino).toBe(!fsync);
      // Writes replace files whole: the copy keeps the version it was made from.
      await disk.put('logs/app.log', text('line two\n'));
      expect(await readFile(path.join(root, 'kept', 'app.log'), 'utf8')).toBe('line one\n');
      expect(await disk.copy('logs/app.log', 'kept/other.log', { ifSourceMatch: written.etag })).toBeNull();
      expect(await disk.head('kept/other.log')).toBeNull();
      expect(await readdir(path.join(root, INTERNAL_FOLDER, 'tmp')).catch(() => [])).toEqual([]);
    }
  });

  it('round-trips empty, binary and multi-MiB streamed bodies byte for byte', async () => {
    const { disk } = await backend();
    const big = randomBytes(3 * 1024 * 1024 + 17);
    await disk.put('empty', new Uint8Array());
    await disk.put('binary', Uint8Array.from([0, 255, 0xc3, 0x28, 10, 13]));
    await disk.put('big', chunked(big, 100_000), { contentLength: big.byteLength });
    const empty = await disk.get('empty');
    expect(empty?.size).toBe(0);
    expect((await bytesOf(empty)).byteLength).toBe(0);
    const binary = await disk.get('binary');
    expect([...(await bytesOf(binary))]).toEqual([0, 255, 0xc3, 0x28, 10, 13]);
    const read = await disk.get('big');
    let chunks = 0;
    const parts: Uint8Array[] = [];
    for await (const chunk of read?.body ?? []) {
      chunks++;
      expect(chunk.byteLength).toBeLessThanOrEqual(256 * 1024);
      parts.push(chunk);
    }
    expect(chunks).toBeGreaterThan(1);
    expect(Buffer.concat(parts).equals(Buffer.from(big))).toBe(true);
  });

  it('rejects a body whose length differs from contentLength and keeps the old object', async () => {
    const { disk } = await backend();
    await disk.put('k', text('old'));
    await expect(disk.put('k', text('new!'), { contentLength: 3 })).rejects.toBeInstanceOf(ValidationError);
    expect(await readText(disk, 'k')).toBe('old');
  });

  it('keeps content type and metadata with the version they were written with', async () => {
    const { disk } = await backend();
    await disk.put('doc.md', text('# hi'), { contentType: 'text/markdown', metadata: { owner: 'ana' } });
    expect(await disk.head('doc.md')).toMatchObject({
      contentType: 'text/markdown',
      metadata: { owner: 'ana' },
    });
    const got = await disk.get('doc.md');
    expect(got).toMatchObject({ contentType: 'text/markdown', metadata: { owner: 'ana' } });
    await bytesOf(got);
    await disk.put('doc.md', text('# plain'));
    const plain = await disk.head('doc.md');
    expect(plain?.contentType).toBeUndefined();
    expect(plain?.metadata).toBeUndefined();
  });

  it('changes the etag on every write, also for identical bytes', async () => {
    const { disk } = await backend();
    const etags = new Set<string>();
    for (let i = 0; i < 50; i++) etags.add((await disk.put('same', text('x'))).etag);
    expect(etags.size).toBe(50);
    expect((await disk.head('same'))?.etag).toBe([...etags].at(-1));
  });

  it('serves ranges, clamping the end, and rejects a start past the end', async () => {
    const { disk } = await backend();
    await disk.put('r', text('0123456789'));
    const middle = await disk.get('r', { range: { start: 2, end: 5 } });
    expect(middle?.range).toEqual({ start: 2, end: 5 });
    expect(middle?.size).toBe(10);
    expect(new TextDecoder().decode(await bytesOf(middle))).toBe('2345');
    const tail = await disk.get('r', { range: { start: 7, end: 100 } });
    expect(tail?.range).toEqual({ start: 7, end: 9 });
    expect(new TextDecoder().decode(await bytesOf(tail))).toBe('789');
    const open = await disk.get('r', { range: { start: 9 } });
    expect(new TextDecoder().decode(await bytesOf(open))).toBe('9');
    await expect(disk.get('r', { range: { start: 10 } })).rejects.toBeInstanceOf(ValidationError);
    await expect(disk.get('r', { range: { start: 4, end: 2 } })).rejects.toBeInstanceOf(ValidationError);
    await disk.put('none', new Uint8Array());
    const empty = await disk.get('none', { range: { start: 0 } });
    expect((await bytesOf(empty)).byteLength).toBe(0);
  });

  it('reads the version that was current when get returned, even if replaced meanwhile', async () => {
    const { disk } = await backend();
    const first = randomBytes(600_000, 3);
    await disk.put('v', first);
    const reading = await disk.get('v');
    await disk.put('v', randomBytes(700_000, 4));
    const bytes = await bytesOf(reading);
    expect(Buffer.from(bytes).equals(Buffer.from(first))).toBe(true);
  });

  it('returns null and false for missing keys', async () => {
    const { disk } = await backend();
    expect(await disk.get('nope')).toBeNull();
    expect(await disk.head('nope/deeper')).toBeNull();
    expect(await disk.delete('nope')).toBe(false);
  });

  it('deletes objects and removes the folders they leave empty, up to the root', async () => {
    const { root, disk } = await backend({ fsync: true });
    await disk.put('a/b/c/one.txt', text('1'));
    await disk.put('a/keep.txt', text('2'));
    expect(await disk.delete('a/b/c/one.txt')).toBe(true);
    expect(await disk.get('a/b/c/one.txt')).toBeNull();
    expect(await readdir(path.join(root, 'a'))).toEqual(['keep.txt']);
    expect(await disk.delete('a/keep.txt')).toBe(true);
    expect((await readdir(root)).sort()).toEqual([INTERNAL_FOLDER]);
  });

  it('reports a folder/object clash as a ConflictError, never a raw ENOTDIR', async () => {
    const { disk } = await backend();
    await disk.put('a/b', text('file'));
    const underFile = disk.put('a/b/c', text('x'));
    await expect(underFile).rejects.toBeInstanceOf(ConflictError);
    await expect(disk.put('a/b/c', text('x'), { mode: PutMode.create })).rejects.toBeInstanceOf(
      ConflictError,
    );
    await expect(disk.put('a', text('x'))).rejects.toBeInstanceOf(ConflictError);
    await expect(disk.put('a', text('x'), { mode: PutMode.create })).rejects.toBeInstanceOf(ConflictError);
    expect(await disk.get('a/b/c')).toBeNull();
    expect(await disk.get('a')).toBeNull();
    expect(await disk.head('a')).toBeNull();
    expect(await disk.delete('a')).toBe(false);
    expect(await readText(disk, 'a/b')).toBe('file');
  });

  it('rejects invalid keys and the internal folder with ValidationError', async () => {
    const { disk } = await backend();
    for (const key of [
      '',
      '/abs',
      'a//b',
      '../x',
      'a/./b',
      'a\\b',
      'trail/',
      `${INTERNAL_FOLDER}/tmp/x`,
      INTERNAL_FOLDER,
    ]) {
      await expect(disk.put(key, text('x')), key).rejects.toBeInstanceOf(ValidationError);
      await expect(disk.get(key), key).rejects.toBeInstanceOf(ValidationError);
      await expect(disk.delete(key), key).rejects.toBeInstanceOf(ValidationError);
    }
    await expect(disk.list(`${INTERNAL_FOLDER}/`)).rejects.toBeInstanceOf(ValidationError);
    await expect(disk.list('a//')).rejects.toBeInstanceOf(ValidationError);
    await expect(disk.list('', { limit: 0 })).rejects.toBeInstanceOf(ValidationError);
    await expect(disk.list('', { cursor: '!!' })).rejects.toBeInstanceOf(ValidationError);
    await expect(
      disk.put('k', text('x'), { mode: { kind: 'x' } as unknown as PutMode }),
    ).rejects.toBeInstanceOf(ValidationError);
    expect(() => new DiskBackend({ root: '' })).toThrow(ValidationError);
  });

  it('accepts keys with unicode, spaces, plus, percent and leading dots', async () => {
    const { root, disk } = await backend();
    const keys = ['.github/workflows/ci.yml', 'ünï cödé/ä+b%20c.sql', 'emoji/😀.txt', '.datalake-diskette'];
    for (const key of keys) await disk.put(key, text(key));
    for (const key of keys) expect(await readText(disk, key)).toBe(key);
    expect(await allKeys(disk)).toEqual([...keys].sort());
    await stat(path.join(root, 'emoji', '😀.txt'));
  });

  it('lists with prefix, delimiter and pagination in key order, hiding its own folder', async () => {
    const { disk } = await backend();
    const keys = ['a.txt', 'a/x', 'a/y/z', 'ab', 'b/c/d', 'b/e', 'b0', '😀', '\uffff'];
    for (const key of keys) await disk.put(key, text(key));
    // Code-point order: U+FFFF sorts before the emoji (UTF-16 order would not).
    expect(await allKeys(disk)).toEqual([
      'a.txt',
      'a/x',
      'a/y/z',
      'ab',
      'b/c/d',
      'b/e',
      'b0',
      '\uffff',
      '😀',
    ]);
    expect(await allKeys(disk, '', 2)).toEqual(await allKeys(disk));
    expect(await allKeys(disk, 'a')).toEqual(['a.txt', 'a/x', 'a/y/z', 'ab']);
    expect(await allKeys(disk, 'a/')).toEqual(['a/x', 'a/y/z']);
    const top = await disk.list('', { delimiter: '/' });
    expect(top.prefixes).toEqual(['a/', 'b/']);
    expect(top.objects.map((o) => o.key)).toEqual(['a.txt', 'ab', 'b0', '\uffff', '😀']);
    const inB = await disk.list('b/', { delimiter: '/' });
    expect(inB).toMatchObject({ prefixes: ['b/c/'], objects: [{ key: 'b/e' }] });
    const paged: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await disk.list('', { delimiter: '/', limit: 1, cursor });
      expect(page.objects.length + page.prefixes.length).toBeLessThanOrEqual(1);
      paged.push(...page.prefixes, ...page.objects.map((o) => o.key));
      cursor = page.cursor;
    } while (cursor);
    expect(paged).toEqual(['a.txt', 'a/', 'ab', 'b/', 'b0', '\uffff', '😀']);
    const dash = await disk.list('b', { delimiter: '/' });
    expect(dash.prefixes).toEqual(['b/']);
    const listed = (await disk.list('a/y/')).objects[0];
    const head = await disk.head('a/y/z');
    expect(listed).toEqual({
      key: 'a/y/z',
      size: head?.size,
      etag: head?.etag,
      lastModified: head?.lastModified,
    });
  });

  it('lists more than one page of a large folder', async () => {
    const { disk } = await backend();
    const keys = Array.from({ length: 2_100 }, (_, i) => `.metadata/${String(i).padStart(5, '0')}.json`);
    for (let i = 0; i < keys.length; i += 100) {
      await Promise.all(keys.slice(i, i + 100).map((key) => disk.put(key, text('{}'))));
    }
    const first = await disk.list('.metadata/');
    expect(first.objects).toHaveLength(1000);
    expect(first.cursor).toBeDefined();
    expect(await allKeys(disk, '.metadata/')).toEqual(keys);
  });

  it('ignores empty folders and files whose names cannot be keys', async () => {
    const { root, disk } = await backend();
    await disk.put('x/real', text('1'));
    await mkdir(path.join(root, 'empty', 'deeper'), { recursive: true });
    await writeFile(path.join(root, 'x', 'bad\\name'), 'x');
    expect(await allKeys(disk)).toEqual(['x/real']);
    expect((await disk.list('', { delimiter: '/' })).prefixes).toEqual(['x/']);
  });

  it('sees objects written by another instance on the same root', async () => {
    const { root, disk } = await backend();
    await disk.put('shared', text('one'));
    const other = new DiskBackend({ root, fsync: false });
    expect(await readText(other, 'shared')).toBe('one');
    await other.put('shared', text('two'));
    expect(await readText(disk, 'shared')).toBe('two');
  });

  it('refuses calls after close', async () => {
    const { disk } = await backend();
    await disk.close();
    await expect(disk.get('k')).rejects.toBeInstanceOf(ClosedError);
  });

  it('wraps an unusable root in a BackendError naming it', async () => {
    const root = await tempRoot();
    await writeFile(path.join(root, 'file'), 'x');
    const disk = new DiskBackend({ root: path.join(root, 'file', 'lake') });
    const failure = disk.put('k', text('x'));
    await expect(failure).rejects.toBeInstanceOf(BackendError);
    await expect(failure).rejects.toThrow(/file\/lake/);
  });
});
