import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { corpusFromEnv, readManifest } from '../src/corpus.js';

describe('the reference corpus', () => {
  let dir: string;
  let saved: string | undefined;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'corpus-'));
    saved = process.env.DATALAKE_CORPUS;
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
    if (saved === undefined) delete process.env.DATALAKE_CORPUS;
    else process.env.DATALAKE_CORPUS = saved;
  });

  it('is absent when DATALAKE_CORPUS is unset', () => {
    delete process.env.DATALAKE_CORPUS;
    expect(corpusFromEnv()).toBeUndefined();
  });

  it('refuses a DATALAKE_CORPUS folder without a manifest', () => {
    process.env.DATALAKE_CORPUS = dir;
    expect(() => corpusFromEnv()).toThrow(/no .*manifest\.tsv/);
  });

  it('reads every manifest row after the header', () => {
    writeFileSync(
      join(dir, 'manifest.tsv'),
      'path\ttype\tbytes\tsha256\nschema/a.sql\tschema\t12\tabc\nlog/b.log\tlog\t0\tdef\n',
    );
    expect(readManifest(dir)).toEqual([
      { path: 'schema/a.sql', type: 'schema', bytes: 12, sha256: 'abc' },
      { path: 'log/b.log', type: 'log', bytes: 0, sha256: 'def' },
    ]);
  });

  it('refuses a malformed row instead of testing against half a corpus', () => {
    writeFileSync(join(dir, 'manifest.tsv'), 'path\ttype\tbytes\tsha256\nschema/a.sql\tschema\n');
    expect(() => readManifest(dir)).toThrow(/malformed row/);
  });
});
