import { PutMode, type PutResult, type StorageBackend } from '@datalake/model';
import { patternBytes, utf8 } from '../support/bytes.js';
import { expectErrorCode } from '../support/errors.js';
import { expect } from '../support/expect.js';
import { type ContractCheck, defineCheck } from '../types.js';
import { assertStoredBytes } from './round-trip.js';

const GROUP = 'storage: copy';

/** `copy` of the backend under test: core's front always has it (natively or as a get and a put). */
function copier(backend: StorageBackend) {
  const copy = backend.copy;
  if (typeof copy !== 'function') throw new Error(`${backend.description} has no copy()`);
  return (source: string, target: string, options?: Parameters<typeof copy>[2]): Promise<PutResult | null> =>
    copy.call(backend, source, target, options);
}

export const copyChecks: ContractCheck[] = [
  defineCheck(
    GROUP,
    'copy writes the source bytes to a new key and leaves the source',
    async ({ backend }) => {
      const bytes = patternBytes(70_000, 7);
      await backend.put('cp/source.bin', bytes);
      const copied = await copier(backend)('cp/source.bin', 'cp/target.bin', { mode: PutMode.create });
      expect(copied?.size, 'size answered by copy("cp/source.bin" → "cp/target.bin")').toBe(bytes.byteLength);
      await assertStoredBytes(backend, 'cp/target.bin', bytes);
      await assertStoredBytes(backend, 'cp/source.bin', bytes);
      expect((await backend.head('cp/target.bin'))?.etag, 'head("cp/target.bin").etag after the copy').toBe(
        copied?.etag,
      );
    },
  ),

  defineCheck(GROUP, 'a copy keeps its bytes when the source is written or deleted', async ({ backend }) => {
    await backend.put('cp/a.txt', utf8('version one'));
    await copier(backend)('cp/a.txt', 'cp/kept.txt');
    await backend.put('cp/a.txt', utf8('version two, longer'));
    await assertStoredBytes(backend, 'cp/kept.txt', utf8('version one'));
    await backend.delete('cp/a.txt');
    await assertStoredBytes(backend, 'cp/kept.txt', utf8('version one'));
  }),

  defineCheck(GROUP, 'copy of a missing source answers null and writes nothing', async ({ backend }) => {
    expect(await copier(backend)('cp/none.txt', 'cp/none-copy.txt'), 'copy("cp/none.txt")').toBeNull();
    expect(await backend.head('cp/none-copy.txt'), 'head("cp/none-copy.txt")').toBeNull();
  }),

  defineCheck(
    GROUP,
    'copy with ifSourceMatch copies only that version of the source',
    async ({ backend }) => {
      const first = await backend.put('cp/v.txt', utf8('v1'));
      const second = await backend.put('cp/v.txt', utf8('v2'));
      const copy = copier(backend);
      expect(
        await copy('cp/v.txt', 'cp/v-copy.txt', { ifSourceMatch: first.etag }),
        'copy("cp/v.txt") with the etag of a replaced version',
      ).toBeNull();
      expect(await backend.head('cp/v-copy.txt'), 'head("cp/v-copy.txt") after a refused copy').toBeNull();
      const copied = await copy('cp/v.txt', 'cp/v-copy.txt', { ifSourceMatch: second.etag });
      expect(copied?.size, 'size answered by copy("cp/v.txt") with the current etag').toBe(2);
      await assertStoredBytes(backend, 'cp/v-copy.txt', utf8('v2'));
    },
  ),

  defineCheck(GROUP, 'copy honours the target condition like put', async ({ backend }) => {
    const copy = copier(backend);
    await backend.put('cp/src.txt', utf8('new bytes'));
    const existing = await backend.put('cp/dst.txt', utf8('old bytes'));
    await expectErrorCode(
      () => copy('cp/src.txt', 'cp/dst.txt', { mode: PutMode.create }),
      'PRECONDITION_FAILED',
      'copy("cp/src.txt" → "cp/dst.txt", create) over an existing object',
    );
    await assertStoredBytes(backend, 'cp/dst.txt', utf8('old bytes'));
    await expectErrorCode(
      () => copy('cp/src.txt', 'cp/dst.txt', { mode: PutMode.replace('"not-the-etag"') }),
      'PRECONDITION_FAILED',
      'copy("cp/src.txt" → "cp/dst.txt", replace) with a wrong etag',
    );
    await assertStoredBytes(backend, 'cp/dst.txt', utf8('old bytes'));
    await copy('cp/src.txt', 'cp/dst.txt', { mode: PutMode.replace(existing.etag) });
    await assertStoredBytes(backend, 'cp/dst.txt', utf8('new bytes'));
    await backend.put('cp/src.txt', utf8('newer'));
    await copy('cp/src.txt', 'cp/dst.txt');
    await assertStoredBytes(backend, 'cp/dst.txt', utf8('newer'));
  }),

  defineCheck(GROUP, 'copy refuses invalid keys and options without writing', async ({ backend }) => {
    const copy = copier(backend);
    await backend.put('cp/ok.txt', utf8('x'));
    const refused: [string, () => Promise<unknown>][] = [
      ['an invalid target key', () => copy('cp/ok.txt', '../escape.txt')],
      ['an invalid source key', () => copy('/absolute.txt', 'cp/bad-source.txt')],
      ['an empty ifSourceMatch', () => copy('cp/ok.txt', 'cp/bad-option.txt', { ifSourceMatch: '' })],
      [
        'a malformed mode',
        () => copy('cp/ok.txt', 'cp/bad-option.txt', { mode: { kind: 'sometimes' } as never }),
      ],
    ];
    for (const [label, call] of refused) await expectErrorCode(call, 'VALIDATION', `copy with ${label}`);
    expect(await backend.head('cp/bad-source.txt'), 'head("cp/bad-source.txt")').toBeNull();
    expect(await backend.head('cp/bad-option.txt'), 'head("cp/bad-option.txt")').toBeNull();
  }),
];
