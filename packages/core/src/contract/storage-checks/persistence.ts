import { allByteValues, utf8 } from '../support/bytes.js';
import { expect } from '../support/expect.js';
import { listKeys } from '../support/listing.js';
import { type ContractCheck, defineCheck } from '../types.js';
import { assertStoredBytes } from './round-trip.js';

const GROUP = 'storage: persistence';

export const persistenceChecks: ContractCheck[] = [
  defineCheck(
    GROUP,
    'another instance over the same storage sees every write',
    async (context) => {
      if (!context.separateInstances) {
        throw new Error(
          'the backend declares capabilities.persistent, so runContractSuite needs a `reopen` option to prove it',
        );
      }
      const { backend } = context;
      const written = await backend.put(
        'keep/binary.bin',
        allByteValues(),
        backend.capabilities.objectMetadata ? { contentType: 'application/octet-stream' } : {},
      );
      await backend.put('keep/text/ü.txt', utf8('persisted'));
      await backend.put('keep/gone.txt', utf8('to be deleted'));

      // Read through the first instance now, so a cache that outlives other instances' writes shows.
      await assertStoredBytes(backend, 'keep/text/ü.txt', utf8('persisted'));
      expect(await backend.head('keep/gone.txt')).not.toBeNull();

      const second = await context.reopen();
      expect(second).not.toBe(backend);
      await assertStoredBytes(second, 'keep/binary.bin', allByteValues());
      expect((await second.head('keep/binary.bin'))?.etag).toBe(written.etag);
      expect(await listKeys(second, 'keep/')).toEqual([
        'keep/binary.bin',
        'keep/gone.txt',
        'keep/text/ü.txt',
      ]);

      expect(await second.delete('keep/gone.txt')).toBe(true);
      await second.put('keep/text/ü.txt', utf8('changed by the second instance'));

      const third = await context.reopen();
      expect(await listKeys(third, 'keep/')).toEqual(['keep/binary.bin', 'keep/text/ü.txt']);
      await assertStoredBytes(third, 'keep/text/ü.txt', utf8('changed by the second instance'));
      if (backend.capabilities.sharedAcrossProcesses) {
        // Instances open at the same time must not serve stale objects from a cache.
        await assertStoredBytes(backend, 'keep/text/ü.txt', utf8('changed by the second instance'));
        expect(await backend.head('keep/gone.txt')).toBeNull();
      }
    },
    (capabilities) => capabilities.persistent,
  ),
];
