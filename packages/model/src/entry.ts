import type { CompressionCodec } from './compression-codec.js';
import type { DataType } from './data-type.js';

/** A JSON value, as stored in entry metadata. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type Metadata = { [key: string]: JsonValue };

/** One stored artifact, without its content. */
export interface Entry {
  /** Opaque, unique, never reused. */
  id: string;
  /** File name (one path segment). */
  name: string;
  dataType: DataType;
  /** User metadata. */
  metadata: Metadata;
  /** ISO-8601 timestamp. */
  createdAt: string;
  /** ISO-8601 timestamp of the last update, or null if never updated. */
  updatedAt: string | null;
  /** '/'-separated location of the content in the lake: `<dataType>/<subpath>/<name>`. */
  filePath: string;
  /** Folder below the type folder ('' for none). */
  subpath: string;
  /** Content size in bytes. */
  size: number;
  /** Lower-case hex SHA-256 of the content bytes. */
  sha256: string;
  /**
   * Present when the content is stored compressed (see the lake's `compression` setting): the codec,
   * and the size of the stored object (at `filePath` plus the codec's suffix, e.g. `.gz`). `size` and
   * `sha256` always describe the original bytes, which every read returns.
   */
  stored?: { codec: CompressionCodec; size: number };
}

/** An entry with its content: `content` is the UTF-8 decoding (invalid sequences become U+FFFD); use `bytes` for exact data. */
export interface EntryWithContent extends Entry {
  content: string;
  bytes: Uint8Array;
}

/** Content accepted by `store` and `update`: text (stored as UTF-8), bytes, or a stream of bytes. */
export type ContentInput = string | Uint8Array | AsyncIterable<Uint8Array> | Iterable<Uint8Array>;

/** Who makes a change and why: kept with the version the change creates. Optional on every write. */
export interface ChangeNoteInput {
  author?: string;
  message?: string;
}

export interface StoreInput extends ChangeNoteInput {
  name: string;
  content: ContentInput;
  dataType: DataType;
  metadata?: Metadata;
  /** Folder below the type folder, '/'-separated; '' or undefined for none. */
  subpath?: string;
}

export interface UpdateInput extends ChangeNoteInput {
  content?: ContentInput;
  /** Merged into the existing metadata (top-level keys replace; a key set to `null` is kept as null). */
  metadata?: Metadata;
}

export interface ListFilter {
  dataType?: DataType;
  /** Folder below the type folder (or, without `dataType`, below every type folder). */
  subpath?: string;
  /** Default true: include entries in every folder below `subpath`; false: direct children only. */
  recursive?: boolean;
  /** The lake as it was at this moment (a `Date` or an ISO-8601 string): entries then, in their state then. */
  asOf?: Date | string;
}

/** Which version `retrieve`, `readBytes` and `readStream` read: default the current one. */
export interface VersionOptions {
  version?: number;
}

/** Which moment `retrieveByPath` reads: default now. */
export interface AsOfOptions {
  asOf?: Date | string;
}

export interface LakeStats {
  totalEntries: number;
  entriesByType: Record<DataType, number>;
  totalSizeBytes: number;
  totalSizeMb: number;
  /** Entries never updated. */
  createdEntries: number;
  /** Entries updated at least once (`updatedAt` set). */
  updatedEntries: number;
  /**
   * Bytes the current contents take in storage, compressed ones as stored (a local `DataLake`
   * always reports it; older servers may not).
   */
  storedSizeBytes?: number;
  /** Bytes of the current contents as they were given (the same as `totalSizeBytes`). */
  originalSizeBytes?: number;
}
