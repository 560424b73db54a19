import { StorageFront } from '@datalake/core';
import type { S3BackendOptions } from './options.js';
import { S3Adapter } from './s3-adapter.js';

/**
 * A `StorageBackend` on an S3-compatible object store (AWS S3, MinIO, Ceph RGW): the S3 adapter
 * behind core's checking front, so every call is validated (keys, options, ranges, list limits and
 * cursors, closed state) and every failure is a typed error.
 */
export class S3Backend extends StorageFront {
  readonly bucket: string;
  /** The key prefix of this lake inside the bucket (`''` or ending in '/'). */
  readonly prefix: string;
  private readonly s3: S3Adapter;

  /**
   * A backend that trusts `options` as given: `atomicConditionalWrites` must be stated (it is what
   * `DataLake.open` relies on to refuse an unsafe shared store). `S3Backend.connect()` measures it.
   */
  constructor(options: S3BackendOptions) {
    const adapter = new S3Adapter(options);
    super(adapter);
    this.s3 = adapter;
    this.bucket = adapter.bucket;
    this.prefix = adapter.prefix;
  }

  /**
   * Creates a backend and checks it can work: the bucket exists and the credentials are accepted.
   * Unless `atomicConditionalWrites` is given, it also measures whether the server applies
   * conditional writes atomically (a few requests on a scratch key under the prefix).
   */
  static async connect(options: S3BackendOptions): Promise<S3Backend> {
    // Until measured, the conditions are checked by the backend itself (the safe assumption).
    const backend = new S3Backend({
      ...options,
      atomicConditionalWrites: options.atomicConditionalWrites ?? false,
    });
    try {
      await backend.s3.connect(options);
      return backend;
    } catch (error) {
      await backend.close();
      throw error;
    }
  }
}
