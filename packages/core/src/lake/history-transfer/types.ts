import type { ContentInput, Entry } from '@datalake/model';
import type { EntryHolds, RetentionRule } from '../history/retention/types.js';
import type { EntryVersion } from '../history/types.js';

/** An entry with its whole history: what a backup keeps and a copy carries. */
export interface EntryWithHistory {
  /** The entry as it is now; for a deleted entry, as it was when it was deleted. */
  entry: Entry;
  /** Every version the lake still has, oldest first; the last one is the entry's state now. */
  versions: EntryVersion[];
  /** The entry is deleted: its last version is the deletion. */
  deleted: boolean;
}

/** What `importEntry` is given: an entry with its history, and the content of its current version. */
export interface ImportedEntry extends EntryWithHistory {
  /**
   * The bytes of the current version (`entry.sha256`) of a live entry: read only when the lake does
   * not hold them at the entry's path yet. Every other version's content must have been given to
   * `importContent` before.
   */
  content?: ContentInput;
}

/**
 * What `importEntry` did: `created` (the lake had no entry of that id), `advanced` (the lake held an
 * earlier state of the same history, now brought up to the given one), `unchanged` (it held this one).
 */
export type ImportOutcome = 'created' | 'advanced' | 'unchanged';

/** The lake's retention rules in force and the holds on its entries. */
export interface RetentionExport {
  rules: RetentionRule[];
  holds: EntryHolds[];
}

/** How `importEntry` may go about an import. */
export interface ImportOptions {
  /**
   * The caller found no entry of this id in the lake, live or deleted (from `list` and
   * `deletedIds`, read before): the lake's record is not read first, the entry is created at once.
   * Should the entry have appeared since, the import reads it and goes on as without this hint
   * (which needs the content given as bytes, not a stream: with a stream the hint is ignored).
   */
  absent?: boolean;
}
