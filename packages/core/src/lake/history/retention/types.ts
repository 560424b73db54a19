import type { DataType, JsonValue } from '@datalake/model';
import type { CompressionCodec } from '../../compression/codecs.js';
import type { EntryVersion } from '../types.js';

/** Which entries a rule applies to: every condition given must hold (none: every entry). */
export interface RetentionMatch {
  dataType?: DataType;
  /** A folder path below the lake root, matched by whole segments (`schema/billing`). */
  pathPrefix?: string;
  /** A top-level metadata key and the value it must have. */
  metadata?: { key: string; value: JsonValue };
}

/**
 * A retention rule. Where several rules match an entry the most protective wins: a version or a
 * deleted entry goes only when some matching rule lets it go and no matching rule keeps it.
 */
export interface RetentionRule {
  name: string;
  match?: RetentionMatch;
  /** Keep the newest N versions; older noncurrent ones may go (unless another setting keeps them). */
  keepLastVersions?: number;
  /** Keep a noncurrent version for N days after it stopped being current. */
  keepNoncurrentDays?: number;
  /** Purge a deleted entry (its whole history) N days after its deletion. */
  purgeDeletedAfterDays?: number;
}

/** The rules as stored: versioned like entries, each change a new version. */
export interface RetentionRules {
  version: number;
  rules: RetentionRule[];
  at: string | null;
  author?: string;
  message?: string;
}

export type RetentionMode = 'governance' | 'compliance';

/** The holds on one entry. */
export interface EntryHolds {
  id: string;
  legalHold?: { reason: string; since: string; author?: string };
  retainUntil?: { until: string; mode: RetentionMode; since: string; author?: string };
  /** Every governance retention shortened by an explicit override: who, when, from and to. */
  overrides: Array<{ at: string; from: string; to: string | null; author?: string; message?: string }>;
}

export interface LegalHoldInput {
  reason: string;
  author?: string;
}

export interface RetainUntilInput {
  /** A `Date` or ISO-8601 time; `null` removes the retention (governance with `override` only, once due: anyone). */
  until: Date | string | null;
  mode?: RetentionMode;
  /** Needed to shorten (or remove) a governance retention before its date; recorded. */
  override?: boolean;
  author?: string;
  message?: string;
}

/** What `retentionPlan` finds and `retentionApply` removes. */
export interface RetentionPlan {
  /** Noncurrent versions that go, by entry. */
  versions: Array<{ id: string; filePath: string; versions: EntryVersion[] }>;
  /** Deleted entries that go with their whole history. */
  entries: Array<{ id: string; filePath: string; deletedAt: string }>;
  /** Kept content no version will name any more: removed, freeing `bytesFreed`. */
  /** `codec`: the kept copy is compressed (its key carries the codec's suffix). */
  blobs: Array<{ sha256: string; size: number; codec?: CompressionCodec }>;
  bytesFreed: number;
}
