import { rm } from 'node:fs/promises';
import type { StorageAdapter } from '@datalake/core';
import { runContractSuite } from '@datalake/core/contract/vitest';
import { Volume } from 'memfs';
import { DiskBackend } from '../src/index.js';
import { tempRoot, volumeFs } from './helpers.js';

// Real files: each backend gets its own temp folder, `reopen` opens a second instance on it, and
// the multi-process checks open it from worker processes.
runContractSuite({
  name: 'disk (real files)',
  create: async () => new DiskBackend({ root: await tempRoot(), fsync: false }),
  reopen: (backend) => new DiskBackend({ root: (backend as DiskBackend).root, fsync: false }),
  destroy: async (backend) => {
    await backend.close?.();
    await rm((backend as DiskBackend).root, { recursive: true, force: true });
  },
  workers: { module: new URL('./support/worker-factory.ts', import.meta.url) },
  workerOptions: (backend) => ({ root: (backend as DiskBackend).root }),
});

// memfs: one volume per backend; instances reopened on the same volume share its files. Once with
// fsync and thread-pool calls only, once without fsync, where small writes use synchronous calls.
// A memfs volume lives in this process only, so the multi-process checks run on real files above.
for (const variant of [
  { name: 'disk (memfs, fsync)', fsync: true, syncCalls: false },
  { name: 'disk (memfs, synchronous small writes)', fsync: false, syncCalls: true },
]) {
  const volumes = new WeakMap<StorageAdapter, Volume>();
  const onVolume = (volume: Volume) => {
    const fs = volumeFs(volume, variant.syncCalls);
    const backend = new DiskBackend({ root: '/lake', fs, fsync: variant.fsync });
    volumes.set(backend, volume);
    return backend;
  };
  runContractSuite({
    name: variant.name,
    create: () => onVolume(new Volume()),
    reopen: (backend) => onVolume(volumes.get(backend) as Volume),
    workers: false,
  });
}
