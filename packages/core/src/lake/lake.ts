import type {
  Entry,
  EntryWithContent,
  LakeStats,
  ListFilter,
  StoreInput,
  UpdateInput,
} from '../model/entry.js';
import type { IndexCheckReport, IndexReport, SearchOptions, SearchResult } from '../search/types.js';

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
  /** The entry and its content: `bytes` exactly as stored, `content` their UTF-8 decoding. */
  retrieve(id: string): Promise<EntryWithContent>;
  retrieveByPath(filePath: string): Promise<EntryWithContent>;
  /** The exact stored bytes, verified against the entry's SHA-256. */
  readBytes(id: string): Promise<Uint8Array>;
  /** The content as a stream, never held whole in memory; the SHA-256 is checked as it ends. */
  readStream(id: string): Promise<EntryStream>;
  /** Entries (without content), ordered by `filePath`. */
  list(filter?: ListFilter): Promise<Entry[]>;
  search(query: string, options?: SearchOptions): Promise<SearchResult>;
  /** Merges `metadata` and/or replaces the content. */
  update(id: string, input: UpdateInput): Promise<Entry>;
  /** `true` if the entry existed and is now deleted, `false` if there was no such entry. */
  delete(id: string): Promise<boolean>;
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
