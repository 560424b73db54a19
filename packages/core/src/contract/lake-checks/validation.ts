import { DATA_TYPES, DataType, RESERVED_PREFIXES } from '@datalake/model';
import fc from 'fast-check';
import { expectErrorCode, hasErrorCode } from '../support/errors.js';
import { expect } from '../support/expect.js';
import { listKeys } from '../support/listing.js';
import { type ContractCheck, defineCheck } from '../types.js';

const GROUP = 'lake: name and subpath validation';

/** Pieces that make hostile paths likely: separators, dot segments, controls, decomposed accents. */
const HOSTILE_PIECES = [
  '/',
  '//',
  '.',
  '..',
  '\\',
  '\u0000',
  '\n',
  '\t',
  '\u007f',
  '\u2028',
  ' ',
  'C:',
  '~',
  '%2e',
  '%2F',
  'e\u0301',
  'é',
  '😀',
  // The lake's own folders (with '/' among the pieces, their prefixes too): no user path may land in one.
  ...RESERVED_PREFIXES.map((prefix) => prefix.slice(0, -1)),
  'a',
  'b',
  'file.txt',
  '-',
  'CON',
  '*',
];
const hostileText = fc.oneof(
  fc.array(fc.constantFrom(...HOSTILE_PIECES), { maxLength: 6 }).map((pieces) => pieces.join('')),
  fc.string({ maxLength: 12, unit: 'binary' }),
  fc.string({ minLength: 250, maxLength: 300 }),
);

function expectedPath(dataType: string, subpath: string, name: string): string {
  const folder = subpath === '' ? '' : `${subpath.normalize('NFC')}/`;
  return `${dataType}/${folder}${name.normalize('NFC')}`;
}

export const validationChecks: ContractCheck[] = [
  defineCheck(
    GROUP,
    'dot names and dot folders are ordinary; unsafe ones are rejected',
    async ({ backend, openLake }) => {
      const lake = await openLake(backend);
      const ci = await lake.store({ name: '.gitlab-ci.yml', content: 'x', dataType: DataType.CONFIGURATION });
      expect(ci.filePath).toBe('configuration/.gitlab-ci.yml');
      const wf = await lake.store({
        name: 'ci.yml',
        content: 'x',
        dataType: DataType.CONFIGURATION,
        subpath: '.github/workflows',
      });
      expect(wf.filePath).toBe('configuration/.github/workflows/ci.yml');
      const nfc = await lake.store({ name: 'cafe\u0301.md', content: 'x', dataType: DataType.DOCUMENTATION });
      expect(nfc.name).toBe('café.md');
      expect(nfc.filePath).toBe('documentation/café.md');
      const rejected: Array<[string, string | undefined]> = [
        ['a/b.txt', undefined],
        ['..', undefined],
        ['.', undefined],
        ['', undefined],
        ['x\u0000.txt', undefined],
        ['ok.txt', '../outside'],
        ['ok.txt', '/etc'],
        ['ok.txt', 'a//b'],
        ['ok.txt', 'a/./b'],
        ['ok.txt', 'a\\b'],
        ['ok.txt', 'a/'],
        ['n'.repeat(300), undefined],
      ];
      for (const [name, subpath] of rejected) {
        await expectErrorCode(
          () =>
            lake.store({
              name,
              content: 'x',
              dataType: DataType.OTHER,
              ...(subpath === undefined ? {} : { subpath }),
            }),
          'VALIDATION',
          `store name ${JSON.stringify(name)} subpath ${JSON.stringify(subpath)}`,
        );
      }
      await expectErrorCode(
        () => lake.store({ name: 'x', content: 'x', dataType: 'binary' as DataType }),
        'VALIDATION',
        'unknown data type',
      );
      expect((await lake.getStats()).totalEntries).toBe(3);
      await lake.close();
    },
  ),

  defineCheck(
    GROUP,
    'property: any name and subpath is rejected or stored at <type>/<subpath>/<name>',
    async ({ backend, openLake }) => {
      const lake = await openLake(backend, { search: 'scan' });
      const stored = new Set<string>();
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom(...DATA_TYPES),
          hostileText,
          fc.option(hostileText, { nil: undefined }),
          async (dataType, name, subpath) => {
            const path = expectedPath(dataType, subpath ?? '', name);
            try {
              const entry = await lake.store({
                name,
                content: 'x',
                dataType,
                ...(subpath === undefined ? {} : { subpath }),
              });
              expect(entry.filePath).toBe(path);
              expect(stored.has(path)).toBe(false);
              stored.add(path);
            } catch (error) {
              if (hasErrorCode(error, 'CONFLICT')) {
                // Taken already, or nested under / above an existing entry: either way an existing path is involved.
                expect(
                  [...stored].some(
                    (taken) => taken === path || taken.startsWith(`${path}/`) || path.startsWith(`${taken}/`),
                  ),
                ).toBe(true);
                return;
              }
              if (!hasErrorCode(error, 'VALIDATION')) throw error;
            }
          },
        ),
        { numRuns: 300 },
      );
      const keys = await listKeys(backend);
      for (const key of keys) {
        const segments = key.split('/');
        expect(segments.some((segment) => segment === '..' || segment === '.' || segment === '')).toBe(false);
        const top = segments[0] as string;
        expect(
          top.startsWith('.') || (DATA_TYPES as readonly string[]).includes(top),
          `key ${JSON.stringify(key)}`,
        ).toBe(true);
      }
      for (const path of stored) expect(keys).toContain(path);
      await lake.close();
    },
  ),
];
