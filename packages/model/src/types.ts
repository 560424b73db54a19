/**
 * The storage contract every backend implements. It is deliberately object-store shaped
 * (a flat namespace of '/'-separated keys, whole-object writes, conditional writes) so that
 * local disk, memory and S3-compatible stores all fit it without emulation layers.
 */

import type { PutMode } from './put-mode.js';

/** Bytes going into a backend: a whole buffer, or a stream of chunks of unknown total length. */
export type BodyInput = Uint8Array | AsyncIterable<Uint8Array>;

export interface PutOptions {
  /** The write's condition. Default `PutMode.overwrite`. */
  mode?: PutMode;
  /** Stored with the object; only for backends that declare `objectMetadata`. */
  contentType?: string;
  /** Small string metadata stored with the object (S3 user metadata); only with `objectMetadata`. */
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

export interface CopyOptions {
  /** The condition on the target, as for `put`. Default `PutMode.overwrite`. */
  mode?: PutMode;
  /**
   * Copy only the source's version with this etag. When the source is at another version (or
   * missing), nothing is copied and `copy` returns `null`.
   */
  ifSourceMatch?: string;
  /** As for `put`: the copy need only be durable once a later write without this flag returns. */
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
   * List only keys that sort after this one (S3's `StartAfter`), so a reader that knows where it
   * stopped skips what it has seen without paging through it. Ignored when `cursor` is given.
   */
  startAfter?: string;
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
   * `put` with a `create` or `replace` mode and `delete` with `ifMatch` are atomic against every
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
  /**
   * The backend stores a put's `contentType` and `metadata` and returns them from `get` and `head`.
   * Default false: the front refuses those options with a `ValidationError`. The lake never uses them.
   */
  objectMetadata?: boolean;
  /**
   * The adapter groups listings by a delimiter itself. Default false: the front does it, asking the
   * adapter for the keys after each group.
   */
  delimiterListing?: boolean;
  /**
   * The adapter implements `copy` itself, cheaper than reading and writing the bytes (a disk adapter
   * links the file). Default false: the front copies with a `get` and a `put`.
   */
  copy?: boolean;
  /**
   * The adapter issues and reads its own list cursors (such as S3 continuation tokens). Default
   * false: the front makes cursors from keys and hands the adapter `after`, the last key returned.
   */
  ownCursors?: boolean;
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
  /**
   * Writes the bytes the object `source` holds now to `target`, as one atomic write under
   * `options.mode`; later writes of `source` leave the copy as it is. `null` when the source is
   * missing (or, with `ifSourceMatch`, at another version): nothing is written then. The copy does
   * not carry the source's `contentType` or `metadata`. Optional in this interface for backends
   * written before it; core's front always has it.
   */
  copy?(source: string, target: string, options?: CopyOptions): Promise<PutResult | null>;
  /** Release resources (sockets, file handles). The backend is unusable afterwards. */
  close?(): Promise<void>;
}

/** The copy options an adapter receives: checked, with the condition always spelled out. */
export interface AdapterCopyOptions extends CopyOptions {
  mode: PutMode;
}

/** The put options an adapter receives: checked, with the condition always spelled out. */
export interface AdapterPutOptions extends PutOptions {
  mode: PutMode;
}

/** The list options an adapter receives: checked and normalised. */
export interface AdapterListOptions {
  /** Page size, 1 to `MAX_LIST_LIMIT`. The adapter may return fewer entries. */
  limit: number;
  /** Only keys that sort after this one (UTF-8 byte order). Not given to adapters with `ownCursors`. */
  after?: string;
  /** The caller's cursor as given: only adapters with `ownCursors` read it. */
  cursor?: string;
  /**
   * Adapters with `ownCursors`, first page only: list the keys after this one (S3's `StartAfter`).
   * Other adapters get it as `after`.
   */
  startAfter?: string;
  /** Only given to adapters that declare `delimiterListing`. */
  delimiter?: string;
}

/** One page of an adapter's listing. */
export interface AdapterListPage {
  /** Objects whose keys start with the prefix, after `after`, ascending in UTF-8 byte order. */
  objects: ListedObject[];
  /** With a delimiter: the common prefixes on this page (see `ListPage.prefixes`). */
  prefixes?: string[];
  /** More keys may follow this page. */
  more?: boolean;
  /** Adapters with `ownCursors`: the cursor of the next page (absent on the last page). */
  cursor?: string;
}

/**
 * What an adapter implements: the small required core of a backend. The front (`StorageFront`) that
 * core puts around every adapter has validated every argument first: keys and prefixes are valid,
 * ranges well formed, the limit normalised, the condition one `PutMode`, the backend still open.
 * A complete `StorageBackend` is an adapter too.
 */
export interface StorageAdapter {
  readonly description: string;
  readonly capabilities: BackendCapabilities;
  /**
   * Writes a whole object atomically: readers see the old object or the new one, never a mix. When
   * `body` is a stream that throws, nothing is written. The mode is checked and the write done as
   * one step. Throws `PreconditionFailedError` when the mode does not hold.
   */
  put(key: string, body: BodyInput, options: AdapterPutOptions): Promise<PutResult>;
  /**
   * The object (or a range of it), or `null`. The front clamps the range, refuses a start past the
   * end, and checks the byte count: an adapter may return the whole object's size with the bytes
   * `range.start` to `min(range.end, size - 1)`.
   */
  get(key: string, options: GetOptions): Promise<GetResult | null>;
  /** Optional: without it the front answers `head` with a `get` whose body it does not read. */
  head?(key: string): Promise<ObjectInfo | null>;
  delete(key: string, options: DeleteOptions): Promise<boolean>;
  list(prefix: string, options: AdapterListOptions): Promise<AdapterListPage>;
  /** Only with the `copy` capability: `StorageBackend.copy` done natively, with checked arguments. */
  copy?(source: string, target: string, options: AdapterCopyOptions): Promise<PutResult | null>;
  close?(): Promise<void>;
}
