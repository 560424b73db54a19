import { DiskBackend } from '../../src/index.js';

/** The contract suite's worker processes open the same folder through this factory. */
export function createAdapter(options: { root: string }): DiskBackend {
  return new DiskBackend({ root: options.root, fsync: false });
}
