import path from 'node:path';
import { ValidationError } from '@datalake/model';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { contentKey, normaliseName, normaliseSubpath, parseContentPath } from '../src/lake/paths.js';

const hostile = fc.constantFrom(
  '..',
  '.',
  '/',
  '\\',
  '\0',
  '\u0007',
  '\u202e',
  'a',
  'é',
  'e\u0301',
  ' ',
  '.git',
  '~',
  '%2e',
);

describe('names and subpaths', () => {
  it('treats dot-names as ordinary names', () => {
    expect(normaliseName('.gitlab-ci.yml')).toBe('.gitlab-ci.yml');
    expect(normaliseSubpath('.github/workflows')).toBe('.github/workflows');
  });

  it('normalises to NFC', () => {
    expect(normaliseName('cafe\u0301.sql')).toBe('caf\u00e9.sql');
  });

  it.each(['', '..', '.', 'a/b', '/x', 'a\\b', 'a\u0000', 'x\n'])('rejects the name %j', (name) => {
    expect(() => normaliseName(name)).toThrow(ValidationError);
  });

  it.each(['..', '../x', 'a/../b', '/abs', 'a//b', 'a/', 'a\\b', 'a/\u0001'])(
    'rejects the subpath %j',
    (subpath) => {
      expect(() => normaliseSubpath(subpath)).toThrow(ValidationError);
    },
  );

  it('maps every accepted name and subpath inside the lake root (property)', () => {
    const root = path.resolve('/lake-root');
    fc.assert(
      fc.property(
        fc.array(hostile, { minLength: 1, maxLength: 4 }).map((parts) => parts.join('')),
        fc
          .array(
            fc.array(hostile, { minLength: 1, maxLength: 3 }).map((p) => p.join('')),
            { maxLength: 3 },
          )
          .map((s) => s.join('/')),
        (rawName, rawSubpath) => {
          let name: string;
          let subpath: string;
          try {
            name = normaliseName(rawName);
            subpath = normaliseSubpath(rawSubpath);
          } catch (error) {
            expect(error).toBeInstanceOf(ValidationError);
            return;
          }
          const key = contentKey('schema', subpath, name);
          const resolved = path.resolve(root, ...key.split('/'));
          expect(resolved.startsWith(`${root}${path.sep}schema${path.sep}`)).toBe(true);
          expect(parseContentPath(key)).toEqual({ dataType: 'schema', subpath, name });
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe('reserved prefixes', () => {
  it('no data type folder and no content path is reserved; every bookkeeping key is', async () => {
    const { DATA_TYPES } = await import('@datalake/model');
    const { RESERVED_PREFIXES, isReservedKey, metadataKey, claimKey, SNAPSHOT_KEY } = await import(
      '../src/lake/paths.js'
    );
    const { SEGMENT_PREFIX } = await import('@datalake/search');
    for (const prefix of RESERVED_PREFIXES) expect(prefix.startsWith('.') && prefix.endsWith('/')).toBe(true);
    for (const dataType of DATA_TYPES) expect(isReservedKey(`${dataType}/x`)).toBe(false);
    for (const key of [metadataKey('id'), claimKey('schema/a.sql'), SNAPSHOT_KEY, `${SEGMENT_PREFIX}0001`])
      expect(isReservedKey(key), key).toBe(true);
    expect(isReservedKey('.auth/tokens/abc.json')).toBe(true);
    expect(isReservedKey('.audit/2026-01-01/x.jsonl')).toBe(true);
  });
});
