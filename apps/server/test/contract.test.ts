import { DiskBackend } from '@datalake/backend-disk';
import { MemoryBackend } from '@datalake/backend-memory';
import { runLakeContractSuite } from '@datalake/core/contract/vitest';
import { removeDisk, servedLakeOpener, tempDisk } from './support/served.js';

// The lake-level contract, through the client and a server in front of each lake: remote and local
// lakes behave the same. (The crash checks wrap the backend under an in-process lake: they stay
// with each backend's own suite.)
runLakeContractSuite({
  name: 'client → server → memory',
  create: () => new MemoryBackend(),
  openLake: servedLakeOpener,
  // Random multi-MiB contents are slow to index on a loaded machine; no check waits on a timer.
  timeoutMs: 300_000,
});

runLakeContractSuite({
  name: 'client → server → disk',
  create: tempDisk,
  reopen: (backend) => new DiskBackend({ root: (backend as DiskBackend).root, fsync: false }),
  destroy: removeDisk,
  openLake: servedLakeOpener,
  timeoutMs: 300_000,
});
