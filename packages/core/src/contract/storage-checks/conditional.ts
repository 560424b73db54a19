import { PutMode } from '@datalake/model';
import { utf8 } from '../support/bytes.js';
import { assertErrorCode, expectErrorCode } from '../support/errors.js';
import { expect } from '../support/expect.js';
import { type ContractCheck, defineCheck } from '../types.js';
import { assertStoredBytes } from './round-trip.js';

const GROUP = 'storage: conditional writes';

export const conditionalChecks: ContractCheck[] = [
  defineCheck(GROUP, 'PutMode.create creates once, then fails without writing', async ({ backend }) => {
    const created = await backend.put('c/new.txt', utf8('first'), { mode: PutMode.create });
    await expectErrorCode(
      () => backend.put('c/new.txt', utf8('second'), { mode: PutMode.create }),
      'PRECONDITION_FAILED',
      'put("c/new.txt", create) over an existing object',
    );
    await assertStoredBytes(backend, 'c/new.txt', utf8('first'));
    expect((await backend.head('c/new.txt'))?.etag, 'head("c/new.txt").etag after a refused create').toBe(
      created.etag,
    );
  }),

  defineCheck(GROUP, 'PutMode.create succeeds again after the object is deleted', async ({ backend }) => {
    await backend.put('c/again.txt', utf8('one'), { mode: PutMode.create });
    expect(await backend.delete('c/again.txt'), 'delete("c/again.txt")').toBe(true);
    await backend.put('c/again.txt', utf8('two'), { mode: PutMode.create });
    await assertStoredBytes(backend, 'c/again.txt', utf8('two'));
  }),

  defineCheck(GROUP, 'PutMode.replace overwrites only the version it names', async ({ backend }) => {
    const first = await backend.put('c/cas.txt', utf8('v1'));
    const second = await backend.put('c/cas.txt', utf8('v2'), { mode: PutMode.replace(first.etag) });
    expect(second.etag, 'etag of put("c/cas.txt", replace) compared with the replaced one').not.toBe(
      first.etag,
    );
    await expectErrorCode(
      () => backend.put('c/cas.txt', utf8('v3'), { mode: PutMode.replace(first.etag) }),
      'PRECONDITION_FAILED',
      'put("c/cas.txt", replace) with a stale etag',
    );
    await assertStoredBytes(backend, 'c/cas.txt', utf8('v2'));
    const third = await backend.put('c/cas.txt', utf8('v3'), { mode: PutMode.replace(second.etag) });
    expect((await backend.head('c/cas.txt'))?.etag, 'head("c/cas.txt").etag after a replace').toBe(
      third.etag,
    );
    await assertStoredBytes(backend, 'c/cas.txt', utf8('v3'));
  }),

  defineCheck(GROUP, 'PutMode.replace on a missing key fails and creates nothing', async ({ backend }) => {
    const other = await backend.put('c/other.txt', utf8('x'));
    await expectErrorCode(
      () => backend.put('c/absent.txt', utf8('y'), { mode: PutMode.replace(other.etag) }),
      'PRECONDITION_FAILED',
      'put("c/absent.txt", replace) of a missing key',
    );
    expect(await backend.head('c/absent.txt'), 'head("c/absent.txt") after a refused replace').toBeNull();
  }),

  defineCheck(
    GROUP,
    'malformed modes and the old ifMatch/ifNoneMatch options are refused',
    async ({ backend }) => {
      const malformed: [string, unknown][] = [
        ['an unknown kind', { mode: { kind: 'sometimes' } }],
        ['replace without an etag', { mode: { kind: 'replace' } }],
        ['replace with an empty etag', { mode: { kind: 'replace', etag: '' } }],
        ['create with an etag (two conditions at once)', { mode: { kind: 'create', etag: '"1"' } }],
        ['overwrite with an etag', { mode: { kind: 'overwrite', etag: '"1"' } }],
        ['the old ifNoneMatch', { ifNoneMatch: '*' }],
        ['the old ifMatch and ifNoneMatch together', { ifMatch: '"1"', ifNoneMatch: '*' }],
      ];
      for (const [label, options] of malformed) {
        await expectErrorCode(
          () => backend.put('c/mode.txt', utf8('x'), options as never),
          'VALIDATION',
          `put("c/mode.txt") with ${label}`,
        );
      }
      expect(await backend.head('c/mode.txt'), 'head("c/mode.txt") after refused puts').toBeNull();
    },
  ),

  defineCheck(GROUP, 'delete with ifMatch removes only the version it names', async ({ backend }) => {
    const first = await backend.put('c/del.txt', utf8('v1'));
    const second = await backend.put('c/del.txt', utf8('v2'));
    await expectErrorCode(
      () => backend.delete('c/del.txt', { ifMatch: first.etag }),
      'PRECONDITION_FAILED',
      'delete("c/del.txt") with a stale etag',
    );
    await assertStoredBytes(backend, 'c/del.txt', utf8('v2'));
    expect(
      await backend.delete('c/del.txt', { ifMatch: second.etag }),
      'delete("c/del.txt", ifMatch current)',
    ).toBe(true);
    expect(await backend.head('c/del.txt'), 'head("c/del.txt") after its delete').toBeNull();
    // Nothing left to match: either answer says "nothing deleted".
    try {
      expect(
        await backend.delete('c/del.txt', { ifMatch: second.etag }),
        'delete("c/del.txt", ifMatch) of a missing key',
      ).toBe(false);
    } catch (error) {
      assertErrorCode(error, 'PRECONDITION_FAILED', 'delete("c/del.txt", ifMatch) of a missing key');
    }
  }),
];
