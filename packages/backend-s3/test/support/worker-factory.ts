import { S3Backend, type S3BackendOptions } from '../../src/index.js';

/** The contract suite's worker processes reach the same bucket through this factory. */
export function createAdapter(options: S3BackendOptions): S3Backend {
  return new S3Backend(options);
}
