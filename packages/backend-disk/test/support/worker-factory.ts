import { DiskBackend } from '../../src/index.js';

/**
 * How long a writer waits for another's lock on one key in these tests. The default (10 s) bounds
 * how long a user waits; four processes contending for one key on a busy 2-core test machine can
 * exceed it, and these checks are about lost updates, not latency.
 */
export const TEST_LOCK_WAIT_MS = 120_000;

/** The contract suite's worker processes open the same folder through this factory. */
export function createAdapter(options: { root: string }): DiskBackend {
  return new DiskBackend({ root: options.root, fsync: false, lockWaitMs: TEST_LOCK_WAIT_MS });
}
