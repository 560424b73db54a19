import type { Entry, ReadOnlyError, StorageBackend } from '@datalake/model';

/** What search needs from the lake that owns the catalog. */
export interface SearchHost {
  /** The lake's backend; the persisted index lives under `.index/`. */
  readonly backend: StorageBackend;
  /** Every current entry, from the in-memory catalog. */
  entries(): Iterable<Entry>;
  /** Every current entry ordered by `filePath` (key order: `compareKeys`, UTF-8 byte order); a shared array, never to be modified. */
  entriesInPathOrder(): readonly Entry[];
  getEntry(id: string): Entry | undefined;
  /**
   * A number that changes whenever an entry is added, replaced or removed. With it, a `sync` that
   * finds neither new entries nor new segments costs one listing of the segments; without it, every
   * `sync` rechecks which document answers for each entry.
   */
  catalogVersion?(): number;
  /**
   * Contents over this many bytes are neither indexed nor read by searches (default
   * `DEFAULT_MAX_INDEXED_BYTES`, 16 MiB): their entries are found by name and metadata.
   */
  readonly maxIndexedBytes?: number;
  /**
   * Content bytes of an entry, checked against its SHA-256 (a `CorruptDataError` when they are
   * missing or do not match). Given `worthChecking`, bytes it rejects
   * are returned unchecked: a caller that reports nothing from them need not pay for the hash.
   */
  readBytes(entry: Entry, worthChecking?: (bytes: Uint8Array) => boolean): Promise<Uint8Array>;
  /** Tells the user about something worth knowing (e.g. an index being rebuilt). */
  notice(message: string): void;
  /**
   * Told when the index could not be written because the lake is read-only: the index keeps what
   * it built in memory and goes on. Without it the index tells `notice`, once.
   */
  readOnly?(error: ReadOnlyError): void;
}
