import type { Entry, Metadata } from '@datalake/model';

/** What made a version. */
export type VersionOperation = 'store' | 'update' | 'delete' | 'restore' | 'undelete';

/** One immutable state of an entry. Versions are numbered from 1 and never renumbered. */
export interface EntryVersion {
  version: number;
  /** ISO-8601 time the version was committed. */
  at: string;
  op: VersionOperation;
  /** A deletion: the entry stopped existing here (`sha256`/`size`/`metadata` are what it had). */
  deleted: boolean;
  size: number;
  sha256: string;
  metadata: Metadata;
  author?: string;
  message?: string;
  /** For `restore`: the version made current again. */
  restoredFrom?: number;
}

/** A spilled run of older versions, stored as one immutable object. */
export interface VersionPageRef {
  key: string;
  first: number;
  last: number;
}

/** The version list an entry record carries: the newest inline, older ones in pages. */
export interface HistoryState {
  /** Oldest first; never empty. */
  versions: EntryVersion[];
  /** Oldest first; each covers the versions just before the next one (or before `versions`). */
  pages: VersionPageRef[];
}

/** Who made a change and why: optional on every write. */
export interface ChangeNote {
  author?: string;
  message?: string;
}

/** One page of an entry's history, newest first. */
export interface EntryHistory {
  id: string;
  filePath: string;
  /** The entry is deleted now (its newest version is a deletion; `undelete` brings it back). */
  deleted: boolean;
  versions: EntryVersion[];
  /** Present when older versions follow: pass it back as `cursor`. */
  cursor?: string;
}

export interface HistoryOptions {
  /** Versions per page: default 100, at most 1,000. */
  limit?: number;
  cursor?: string;
}

/** The entry as it was at a version. */
export type EntryAtVersion = Entry & { version: number };

/** A unified diff of two versions of an entry. */
export interface VersionDiff {
  id: string;
  from: number;
  to: number;
  /** Either side's content is binary: `content` says so instead of listing lines. */
  binary: boolean;
  /** Unified diff of the metadata (pretty JSON, keys sorted); '' when equal. */
  metadata: string;
  /** Unified diff of the content; '' when equal. */
  content: string;
}
