import { expect } from 'vitest';
import { utf8 } from '../support/bytes.js';
import { assertErrorCode, expectErrorCode } from '../support/errors.js';
import { type ContractCheck, defineCheck } from '../types.js';
import { assertStoredBytes } from './round-trip.js';

const GROUP = 'storage: conditional writes';

export const conditionalChecks: ContractCheck[] = [
  defineCheck(GROUP, 'ifNoneMatch "*" creates once, then fails without writing', async ({ backend }) => {
    const created = await backend.put('c/new.txt', utf8('first'), { ifNoneMatch: '*' });
    await expectErrorCode(
      () => backend.put('c/new.txt', utf8('second'), { ifNoneMatch: '*' }),
      'PRECONDITION_FAILED',
      'second conditional create',
    );
    await assertStoredBytes(backend, 'c/new.txt', utf8('first'));
    expect((await backend.head('c/new.txt'))?.etag).toBe(created.etag);
  }),

  defineCheck(GROUP, 'ifNoneMatch "*" succeeds again after the object is deleted', async ({ backend }) => {
    await backend.put('c/again.txt', utf8('one'), { ifNoneMatch: '*' });
    expect(await backend.delete('c/again.txt')).toBe(true);
    await backend.put('c/again.txt', utf8('two'), { ifNoneMatch: '*' });
    await assertStoredBytes(backend, 'c/again.txt', utf8('two'));
  }),

  defineCheck(GROUP, 'ifMatch overwrites only the version it names', async ({ backend }) => {
    const first = await backend.put('c/cas.txt', utf8('v1'));
    const second = await backend.put('c/cas.txt', utf8('v2'), { ifMatch: first.etag });
    expect(second.etag).not.toBe(first.etag);
    await expectErrorCode(
      () => backend.put('c/cas.txt', utf8('v3'), { ifMatch: first.etag }),
      'PRECONDITION_FAILED',
      'put with a stale etag',
    );
    await assertStoredBytes(backend, 'c/cas.txt', utf8('v2'));
    const third = await backend.put('c/cas.txt', utf8('v3'), { ifMatch: second.etag });
    expect((await backend.head('c/cas.txt'))?.etag).toBe(third.etag);
    await assertStoredBytes(backend, 'c/cas.txt', utf8('v3'));
  }),

  defineCheck(GROUP, 'ifMatch on a missing key fails and creates nothing', async ({ backend }) => {
    const other = await backend.put('c/other.txt', utf8('x'));
    await expectErrorCode(
      () => backend.put('c/absent.txt', utf8('y'), { ifMatch: other.etag }),
      'PRECONDITION_FAILED',
      'put ifMatch on a missing key',
    );
    expect(await backend.head('c/absent.txt')).toBeNull();
  }),

  defineCheck(GROUP, 'delete with ifMatch removes only the version it names', async ({ backend }) => {
    const first = await backend.put('c/del.txt', utf8('v1'));
    const second = await backend.put('c/del.txt', utf8('v2'));
    await expectErrorCode(
      () => backend.delete('c/del.txt', { ifMatch: first.etag }),
      'PRECONDITION_FAILED',
      'delete with a stale etag',
    );
    await assertStoredBytes(backend, 'c/del.txt', utf8('v2'));
    expect(await backend.delete('c/del.txt', { ifMatch: second.etag })).toBe(true);
    expect(await backend.head('c/del.txt')).toBeNull();
    // Nothing left to match: either answer says "nothing deleted".
    try {
      expect(await backend.delete('c/del.txt', { ifMatch: second.etag })).toBe(false);
    } catch (error) {
      assertErrorCode(error, 'PRECONDITION_FAILED', 'delete ifMatch of a missing key');
    }
  }),
];
