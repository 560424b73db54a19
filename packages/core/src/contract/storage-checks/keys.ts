import { MAX_KEY_BYTES, MAX_SEGMENT_BYTES, PutMode } from '@datalake/model';
import { utf8 } from '../support/bytes.js';
import { expectErrorCode } from '../support/errors.js';
import { expect } from '../support/expect.js';
import { listKeys, sortedKeys } from '../support/listing.js';
import { type ContractCheck, defineCheck } from '../types.js';
import { assertStoredBytes } from './round-trip.js';

const GROUP = 'storage: keys';

/**
 * Keys that naive adapters mangle: URL-encoding look-alikes that must stay distinct, reserved
 * URL characters, non-ASCII text, astral characters, leading dots.
 */
export const AWKWARD_KEYS: readonly string[] = [
  'unicode/café/naïve résumé.txt',
  'unicode/日本語/ファイル.sql',
  'unicode/emoji 😀/grin.txt',
  'unicode/ελληνικά.md',
  'spaces/a name with  two spaces.txt',
  'plus/a+b.txt',
  'plus/a b.txt',
  'plus/a%2Bb.txt',
  'percent/100%.txt',
  'percent/a%20b.txt',
  'percent/a%2Fb.txt',
  'percent/%25.txt',
  'percent/%.txt',
  'tilde/~user/~file~.txt',
  "reserved/a=b&c=d;e,f@g!h$i'j(k).txt",
  'reserved/#hash.txt',
  'dots/.hidden',
  'dots/.metadata/x.json',
  'dots/..double-dot-name.txt',
  'dots/name.',
];

const INVALID_KEYS: readonly string[] = [
  '',
  '../x',
  'a/../b',
  './a',
  'a/./b',
  '/abs',
  '/',
  'a//b',
  'a/',
  'a\\b',
  'a\u0000b',
  'a\nb',
  'tab\there',
  'del\u007f',
  'e\u0301.txt',
  'lone\ud800surrogate',
  'pair/\udc00\ud800',
  'x'.repeat(MAX_SEGMENT_BYTES + 1),
  Array.from({ length: 6 }, () => 'y'.repeat(200)).join('/'),
];

export const keyChecks: ContractCheck[] = [
  defineCheck(GROUP, 'awkward but valid keys round-trip and list exactly', async ({ backend }) => {
    for (const [index, key] of AWKWARD_KEYS.entries())
      await backend.put(key, utf8(`body ${index} of ${key}`));
    for (const [index, key] of AWKWARD_KEYS.entries()) {
      await assertStoredBytes(backend, key, utf8(`body ${index} of ${key}`));
      expect((await backend.head(key))?.key).toBe(key);
    }
    expect(await listKeys(backend)).toEqual(sortedKeys(AWKWARD_KEYS));
    for (const key of AWKWARD_KEYS.slice(0, 10)) expect(await backend.delete(key)).toBe(true);
    expect(await listKeys(backend)).toEqual(sortedKeys(AWKWARD_KEYS.slice(10)));
  }),

  defineCheck(GROUP, 'prefixes with awkward characters select exactly their keys', async ({ backend }) => {
    for (const key of AWKWARD_KEYS) await backend.put(key, utf8(key));
    for (const prefix of ['percent/a%', 'percent/a%2', 'plus/a+', 'plus/a ', 'unicode/emoji 😀/', 'dots/.']) {
      const expected = sortedKeys(AWKWARD_KEYS.filter((key) => key.startsWith(prefix)));
      expect(await listKeys(backend, prefix), `list(${JSON.stringify(prefix)})`).toEqual(expected);
    }
  }),

  defineCheck(GROUP, 'keys of the maximum segment and total length are accepted', async ({ backend }) => {
    const longSegment = `long/${'s'.repeat(MAX_SEGMENT_BYTES)}`;
    const segment = 'k'.repeat(200);
    const longKey = `${[segment, segment, segment, segment, segment].join('/')}/${'e'.repeat(MAX_KEY_BYTES - 1005)}`;
    expect(utf8(longKey).byteLength).toBe(MAX_KEY_BYTES);
    for (const key of [longSegment, longKey]) {
      await backend.put(key, utf8(key));
      await assertStoredBytes(backend, key, utf8(key));
    }
    expect(await listKeys(backend)).toEqual(sortedKeys([longSegment, longKey]));
  }),

  defineCheck(
    GROUP,
    'invalid keys are rejected with a validation error by every operation',
    async ({ backend }) => {
      for (const key of INVALID_KEYS) {
        const label = JSON.stringify(key);
        await expectErrorCode(() => backend.put(key, utf8('x')), 'VALIDATION', `put(${label})`);
        await expectErrorCode(
          () => backend.put(key, utf8('x'), { mode: PutMode.create }),
          'VALIDATION',
          `put(${label})`,
        );
        await expectErrorCode(() => backend.get(key), 'VALIDATION', `get(${label})`);
        await expectErrorCode(() => backend.head(key), 'VALIDATION', `head(${label})`);
        await expectErrorCode(() => backend.delete(key), 'VALIDATION', `delete(${label})`);
      }
      expect(await listKeys(backend)).toEqual([]);
    },
  ),
];
