import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  applicableChecks,
  type ContractCheck,
  type ContractSuiteOptions,
  contractChecks,
  runCheck,
  storageChecks,
} from '../src/contract/index.js';
import type { StorageAdapter } from '../src/index.js';
import {
  CachesReads,
  DecodesPercentKeys,
  DeleteAlwaysTrue,
  DropsLastByteOfLargeBodies,
  ExclusiveRangeEnd,
  ForgetfulPersistent,
  IgnoresCreateMode,
  IgnoresCursor,
  KeepsCallerBuffer,
  KeepsPartialUploads,
  ListsUnsorted,
  NonAtomicCompareAndSwap,
  NonAtomicConditionalCreate,
} from './support/broken-backends.js';
import { MapAdapter } from './support/map-adapter.js';
import { ProcessLocalAdapter } from './support/process-local-adapter.js';

function check(name: string): ContractCheck {
  const matches = contractChecks.filter((candidate) => candidate.name === name);
  if (matches.length !== 1)
    throw new Error(`expected one check named ${JSON.stringify(name)}, found ${matches.length}`);
  return matches[0] as ContractCheck;
}

interface BrokenCase {
  label: string;
  create: () => StorageAdapter;
  reopen?: ContractSuiteOptions['reopen'];
  /** Checks that must fail on this backend. */
  failing: string[];
}

const CASES: BrokenCase[] = [
  {
    label: 'ignores PutMode.create',
    create: () => new IgnoresCreateMode(),
    failing: [
      'PutMode.create creates once, then fails without writing',
      '16 racing conditional creates of one key have exactly one winner',
      'concurrent stores at one path from two instances have exactly one winner',
    ],
  },
  {
    label: 'ignores the list cursor',
    create: () => new IgnoresCursor(),
    failing: [
      'pagination returns every key exactly once over several pages',
      'pagination with a delimiter returns each object and common prefix once',
    ],
  },
  {
    label: 'drops the last byte of large bodies',
    create: () => new DropsLastByteOfLargeBodies(),
    failing: [
      'round-trips a multi-MiB body given as bytes',
      'round-trips a multi-MiB body given as a stream',
      'a range inside a multi-MiB object is exact',
      'content may be a stream, an iterable of chunks, or a multi-MiB buffer',
    ],
  },
  {
    label: 'lists unsorted',
    create: () => new ListsUnsorted(),
    failing: [
      'lists every key once, in UTF-8 byte order',
      'a prefix selects exactly the keys that start with it',
      'awkward but valid keys round-trip and list exactly',
    ],
  },
  {
    label: 'percent-decodes keys',
    create: () => new DecodesPercentKeys(),
    failing: [
      'awkward but valid keys round-trip and list exactly',
      'prefixes with awkward characters select exactly their keys',
    ],
  },
  {
    label: 'non-atomic conditional create',
    create: () => new NonAtomicConditionalCreate(),
    failing: [
      '16 racing conditional creates of one key have exactly one winner',
      'concurrent stores at one path from two instances have exactly one winner',
    ],
  },
  {
    label: 'non-atomic compare-and-swap',
    create: () => new NonAtomicCompareAndSwap(),
    failing: [
      '16 racing compare-and-swap writes of one version have exactly one winner',
      'concurrent updates of one entry from two instances are never silently lost',
    ],
  },
  {
    label: 'treats a range end as exclusive',
    create: () => new ExclusiveRangeEnd(),
    failing: [
      'returns inclusive, open-ended and clamped ranges',
      'a range inside a multi-MiB object is exact',
    ],
  },
  {
    label: 'keeps the caller buffer',
    create: () => new KeepsCallerBuffer(),
    failing: ['stores a copy: changing the caller buffer or a read chunk alters nothing'],
  },
  {
    label: 'keeps partial uploads',
    create: () => new KeepsPartialUploads(),
    failing: ['a put whose body stream fails stores nothing and keeps the old object'],
  },
  {
    label: 'answers true to every delete',
    create: () => new DeleteAlwaysTrue(),
    failing: ['delete answers true once, then false, and the object is gone'],
  },
  {
    label: "caches reads across other instances' writes",
    create: () => new CachesReads(),
    reopen: (backend) => (backend as CachesReads).reopen(),
    failing: [
      'another instance over the same storage sees every write',
      'refresh() shows another instance’s stores, updates and deletes',
    ],
  },
  {
    label: 'claims persistence but forgets',
    create: () => new ForgetfulPersistent(),
    reopen: () => new ForgetfulPersistent(),
    failing: ['another instance over the same storage sees every write'],
  },
];

describe('the contract suite is strict', () => {
  it('the reference adapter passes every storage check', async () => {
    const options: ContractSuiteOptions = { name: 'map', create: () => new MapAdapter() };
    for (const storageCheck of applicableChecks(new MapAdapter().capabilities, options, storageChecks)) {
      await runCheck(storageCheck, options);
    }
  });

  for (const broken of CASES) {
    describe(`a backend that ${broken.label}`, () => {
      for (const name of broken.failing) {
        it(`fails: ${name}`, async () => {
          const options: ContractSuiteOptions = { name: broken.label, create: broken.create };
          if (broken.reopen) options.reopen = broken.reopen;
          await expect(runCheck(check(name), options)).rejects.toThrow();
        });
      }
    });
  }

  it('a persistent backend without a reopen option fails the persistence check', async () => {
    await expect(
      runCheck(check('another instance over the same storage sees every write'), {
        name: 'persistent without reopen',
        create: () => new ForgetfulPersistent(),
      }),
    ).rejects.toThrow(/reopen/);
  });

  describe('a backend that is wrong only across processes', () => {
    const folders: string[] = [];
    const options: ContractSuiteOptions = {
      name: 'process-local',
      create: async () => {
        const dir = await mkdtemp(path.join(tmpdir(), 'datalake-process-local-'));
        folders.push(dir);
        return new ProcessLocalAdapter(dir);
      },
      reopen: (adapter) => new ProcessLocalAdapter((adapter as ProcessLocalAdapter).dir),
      workers: { module: new URL('./support/process-local-adapter.ts', import.meta.url) },
      workerOptions: (adapter) => ({ dir: (adapter as ProcessLocalAdapter).dir }),
    };
    const acrossProcesses = storageChecks.filter(
      (candidate) => candidate.group === 'storage: several processes',
    );

    it('passes the single-process checks of conditional writes, races and persistence', async () => {
      const single = storageChecks.filter((candidate) =>
        ['storage: conditional writes', 'storage: races', 'storage: persistence'].includes(candidate.group),
      );
      expect(single.length).toBeGreaterThan(5);
      for (const singleCheck of single) await runCheck(singleCheck, options);
    });

    for (const processCheck of acrossProcesses) {
      it(`fails: ${processCheck.name}`, async () => {
        await expect(runCheck(processCheck, options)).rejects.toThrow(/processes/);
      }, 180_000);
    }

    it('has multi-process checks to fail', () => {
      expect(acrossProcesses).toHaveLength(2);
    });

    afterAll(async () => {
      for (const dir of folders) await rm(dir, { recursive: true, force: true });
    });
  });
});
