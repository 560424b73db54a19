import type { ByteRange, StorageBackend } from '@datalake/model';
import { assertSameBytes, MiB, patternBytes, readBody } from '../support/bytes.js';
import { expectErrorCode } from '../support/errors.js';
import { expect } from '../support/expect.js';
import { type ContractCheck, defineCheck } from '../types.js';

const GROUP = 'storage: ranges';

async function expectRange(
  backend: StorageBackend,
  key: string,
  whole: Uint8Array,
  range: ByteRange,
  returned: { start: number; end: number },
): Promise<void> {
  const what = `get(${JSON.stringify(key)}, range ${JSON.stringify(range)})`;
  const result = await backend.get(key, { range });
  if (result === null) throw new Error(`${what} returned null`);
  expect(result.size, `${what}.size is the whole object size`).toBe(whole.byteLength);
  expect(result.range, `${what}.range`).toEqual(returned);
  const bytes = await readBody(result.body, whole.byteLength);
  assertSameBytes(bytes, whole.subarray(returned.start, returned.end + 1), what);
}

export const rangeChecks: ContractCheck[] = [
  defineCheck(GROUP, 'returns inclusive, open-ended and clamped ranges', async ({ backend }) => {
    const whole = patternBytes(1000, 21);
    await backend.put('r/data.bin', whole);
    await expectRange(backend, 'r/data.bin', whole, { start: 0, end: 0 }, { start: 0, end: 0 });
    await expectRange(backend, 'r/data.bin', whole, { start: 10, end: 19 }, { start: 10, end: 19 });
    await expectRange(backend, 'r/data.bin', whole, { start: 990 }, { start: 990, end: 999 });
    await expectRange(backend, 'r/data.bin', whole, { start: 0 }, { start: 0, end: 999 });
    await expectRange(backend, 'r/data.bin', whole, { start: 999, end: 999 }, { start: 999, end: 999 });
    await expectRange(backend, 'r/data.bin', whole, { start: 995, end: 5000 }, { start: 995, end: 999 });
    await expectRange(backend, 'r/data.bin', whole, { start: 0, end: 999 }, { start: 0, end: 999 });
  }),

  defineCheck(GROUP, 'a range inside a multi-MiB object is exact', async ({ backend }) => {
    const whole = patternBytes(3 * MiB + 17, 22);
    await backend.put('r/large.bin', whole);
    const middle = 3 * MiB;
    await expectRange(
      backend,
      'r/large.bin',
      whole,
      { start: MiB - 3, end: middle + 4 },
      { start: MiB - 3, end: middle + 4 },
    );
    await expectRange(backend, 'r/large.bin', whole, { start: middle }, { start: middle, end: middle + 16 });
  }),

  defineCheck(
    GROUP,
    'a start at or past the end, or a malformed range, is a validation error',
    async ({ backend }) => {
      await backend.put('r/ten.bin', patternBytes(10, 23));
      const invalid: ByteRange[] = [
        { start: 10 },
        { start: 10, end: 20 },
        { start: 5000 },
        { start: 5, end: 4 },
        { start: -1, end: 3 },
        { start: 1.5 },
      ];
      for (const range of invalid) {
        await expectErrorCode(
          () => backend.get('r/ten.bin', { range }),
          'VALIDATION',
          `get range ${JSON.stringify(range)} of a 10-byte object`,
        );
      }
      expect(await backend.get('r/missing.bin', { range: { start: 0, end: 1 } })).toBeNull();
    },
  ),
];
