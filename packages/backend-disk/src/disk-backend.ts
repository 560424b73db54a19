import { StorageFront } from '@datalake/core';
import { DiskAdapter, type DiskBackendOptions } from './disk-adapter.js';

/**
 * A `StorageBackend` over a folder: the disk adapter behind core's checking front, so every call
 * is validated (keys, options, ranges, list limits and cursors, closed state) and every failure is
 * a typed error.
 */
export class DiskBackend extends StorageFront {
  /** The absolute root folder, as given (see `DiskBackendOptions.root`). */
  readonly root: string;

  constructor(options: DiskBackendOptions) {
    const adapter = new DiskAdapter(options);
    super(adapter);
    this.root = adapter.root;
  }
}
