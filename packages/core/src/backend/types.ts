/**
 * The storage contract every backend implements. It is deliberately object-store shaped
 * (a flat namespace of '/'-separated keys, whole-object writes, conditional writes) so that
 * local disk, memory and S3-compatible stores all fit it without emulation layers.
 */

/** Bytes going into a backend: a whole buffer, or a stream of chunks of unknown total length. */
export type BodyInput = Uint8Array | AsyncIterable<Uint8Array>;

export interface PutOptions {
  /** Only write if the current object's etag equals this one (compare-and-swap). */
  ifMatch?: string;
  /** `'*'`: only write if no object exists under the key (conditional create). */
  ifNoneMatch?: '*';
  contentType?: string;
  /** Small string metadata stored with the object (S3 user metadata). */
  metadata?: Record<string, string>;
  /** Total byte length when the body is a stream and the caller knows it (lets backends avoid buffering). */
  contentLength?: number;
  /**
   * The caller does not need this write to be durable when `put` returns, only once a later `put`
   * without this flag (or `delete`) on the same backend instance returns: that one makes both
   * durable, in order. Lets a backend with a write-ahead journal make several writes durable with
   * one flush. Backends without one ignore it (every write is durable when it returns).
   */
  deferDurability?: boolean;
}

export interface PutResult {
  etag: string;
  size: number;
}

export interface ByteRange {
  /** First byte offset, inclusive. */
  start: number;
  /** Last byte offset, inclusive. Omitted: to the end of the object. */
  end?: number;
}

export interface GetOptions {
  range?: ByteRange;
}

export interface ObjectInfo {
  key: string;
  /** Size of the whole object in bytes (not of a requested range). */
  size: number;
  /** Opaque version tag; changes whenever the object is written. */
  etag: string;
  lastModified: Date;
  contentType?: string;
  metadata?: Record<string, string>;
}

export interface GetResult extends ObjectInfo {
  /** The object's bytes (or the requested range), streamed. Consume it once. */
  body: AsyncIterable<Uint8Array>;
  /** The inclusive byte range actually returned, when a range was requested. */
  range?: { start: number; end: number };
}

export interface DeleteOptions {
  /** Only delete if the current object's etag equals this one. */
  ifMatch?: string;
}

export interface ListOptions {
  /** Group keys by the next occurrence of this string after the prefix (usually '/'). */
  delimiter?: string;
  /** Opaque cursor returned by the previous page. */
  cursor?: string;
  /**
   * Maximum number of objects plus common prefixes in one page: default 1,000, at most
   * `MAX_LIST_LIMIT` (100,000). Backends may return fewer (S3 returns at most 1,000).
   */
  limit?: number;
}

export interface ListedObject {
  key: string;
  size: number;
  etag: string;
  lastModified: Date;
}

export interface ListPage {
  /** Objects in ascending key order (UTF-8 byte order, as S3). */
  objects: ListedObject[];
  /** With a delimiter: the distinct `prefix + segment + delimiter` groups on this page, ascending. */
  prefixes: string[];
  /** Present when more results follow; pass it back as `cursor`. */
  cursor?: string;
}

export interface BackendCapabilities {
  /**
   * `put` with `ifMatch` / `ifNoneMatch` and `delete` with `ifMatch` are atomic against every
   * other writer of the same store, including other processes or machines. When false, the
   * backend still honours the conditions but a race between two writers may let both win.
   */
  atomicConditionalWrites: boolean;
  /**
   * `delete` with `ifMatch` is atomic against other writers. Some S3 servers (Ceph RGW 16) ignore
   * `If-Match` on DELETE; the lake never relies on it (it deletes behind a conditional put).
   */
  atomicConditionalDeletes: boolean;
  /** Several processes (or machines) can open the same store at once. */
  sharedAcrossProcesses: boolean;
  /** Data survives the process (a new backend instance over the same location sees it). */
  persistent: boolean;
  /** Largest object the backend accepts, in bytes (undefined: no practical limit). */
  maxObjectBytes?: number;
}

export interface StorageBackend {
  /** A short human-readable description such as `disk:/srv/lake` or `s3://bucket/prefix`. */
  readonly description: string;
  readonly capabilities: BackendCapabilities;

  /** Write a whole object. Throws `PreconditionFailedError` when a condition does not hold. */
  put(key: string, body: BodyInput, options?: PutOptions): Promise<PutResult>;
  /**
   * Read an object, or a byte range of it. `null` when the key does not exist. A range whose
   * `end` lies past the object is clamped; one whose `start` lies at or past the end of a
   * non-empty object throws `ValidationError` (S3 answers 416 there).
   */
  get(key: string, options?: GetOptions): Promise<GetResult | null>;
  /** Object information without the body. `null` when the key does not exist. */
  head(key: string): Promise<ObjectInfo | null>;
  /** `true` if the object existed and was removed. With `ifMatch`, a mismatch throws `PreconditionFailedError`. */
  delete(key: string, options?: DeleteOptions): Promise<boolean>;
  /** One page of the keys that start with `prefix` (`''` for all). */
  list(prefix: string, options?: ListOptions): Promise<ListPage>;
  /** Release resources (sockets, file handles). The backend is unusable afterwards. */
  close?(): Promise<void>;
}
