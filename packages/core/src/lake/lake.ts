import type {
  AsOfOptions,
  ChangeNoteInput,
  Entry,
  EntryWithContent,
  LakeStats,
  ListFilter,
  StoreInput,
  UpdateInput,
  VersionOptions,
} from '@datalake/model';
import type { IndexCheckReport, IndexReport, SearchOptions, SearchResult } from '@datalake/search';
import type { EntryHistory, HistoryOptions, VersionDiff } from './history/types.js';

/** What `readStream` returns: the entry, and its content as a stream checked against `entry.sha256`. */
export interface EntryStream {
  entry: Entry;
  stream: AsyncIterable<Uint8Array>;
}

/**
 * The public method set of a data lake, whatever answers it: `DataLake` in this process, or a
 * remote lake behind `datalake serve` (`@datalake/client`). Code written against `Lake` runs on both,
 * and both throw the same `DataLakeError` classes with the same codes.
 */
export interface Lake {
  /** Stores a new entry at `<dataType>/<subpath>/<name>`; `ConflictError` when the path is taken. */
  store(input: StoreInput): Promise<Entry>;
  /** The entry (without content) with this id. */
  getEntry(id: string): Promise<Entry>;
  /** The entry (without content) at a `filePath`. */
  getEntryByPath(filePath: string): Promise<Entry>;
  /**
   * The entry and its content: `bytes` exactly as stored, `content` their UTF-8 decoding. With
   * `version`: the entry as it was at that version.
   */
  retrieve(id: string, options?: VersionOptions): Promise<EntryWithContent>;
  /** With `asOf`: the entry that was at `filePath` at that moment, as it was then. */
  retrieveByPath(filePath: string, options?: AsOfOptions): Promise<EntryWithContent>;
  /** The exact stored bytes (of the current version, or of `version`), verified against the SHA-256. */
  readBytes(id: string, options?: VersionOptions): Promise<Uint8Array>;
  /** The content as a stream, never held whole in memory; the SHA-256 is checked as it ends. */
  readStream(id: string, options?: VersionOptions): Promise<EntryStream>;
  /** Entries (without content), ordered by `filePath`; with `asOf`, as the lake was then. */
  list(filter?: ListFilter): Promise<Entry[]>;
  search(query: string, options?: SearchOptions): Promise<SearchResult>;
  /** Merges `metadata` and/or replaces the content. */
  update(id: string, input: UpdateInput): Promise<Entry>;
  /** `true` if the entry existed and is now deleted, `false` if there was no such entry. */
  delete(id: string, note?: ChangeNoteInput): Promise<boolean>;
  /** The entry's versions, newest first, deletions included; paged by `limit` and `cursor`. */
  history(id: string, options?: HistoryOptions): Promise<EntryHistory>;
  /** Makes `version` current again, as a new version (nothing is destroyed). */
  restore(id: string, version: number, note?: ChangeNoteInput): Promise<Entry>;
  /** Brings a deleted entry back at its path, as it was when deleted (a new version). */
  undelete(id: string, note?: ChangeNoteInput): Promise<Entry>;
  /** A unified diff of two versions (metadata too); binary content says so. */
  diff(id: string, from: number, to: number): Promise<VersionDiff>;
  getStats(): Promise<LakeStats>;
  /** Picks up other instances' writes. */
  refresh(): Promise<void>;
  /** Rebuilds the search index. */
  reindex(): Promise<IndexReport>;
  /** Verifies the search index against the entries. */
  checkIndex(): Promise<IndexCheckReport>;
  /** Releases what this handle holds; later calls throw `ClosedError`. */
  close(): Promise<void>;
}
