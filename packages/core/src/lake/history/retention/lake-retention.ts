import { parseMoment } from '../inputs.js';
import type { ChangeNote } from '../types.js';
import { readHolds, releaseLegalHold, setLegalHold, setRetainUntil } from './holds.js';
import { applyRetention, planRetention, type RetentionHost, type RetentionOutcome } from './purge.js';
import { readRules, rulesHistory, writeRules } from './rules.js';
import type {
  EntryHolds,
  LegalHoldInput,
  RetainUntilInput,
  RetentionPlan,
  RetentionRule,
  RetentionRules,
} from './types.js';

/** When retention is judged: now, or (to see what a later run will do) another moment. */
export interface RetentionRunOptions {
  now?: Date | string;
}

/**
 * Retention rules (stored in the lake, versioned), holds on entries, and the purge they allow:
 * `lake.retention` of a `DataLake`.
 */
export class LakeRetention {
  constructor(private readonly host: RetentionHost) {}

  /** The rules in force (version 0, no rules, when none were ever set). */
  rules(): Promise<RetentionRules> {
    return readRules(this.host.backend);
  }

  /** Replaces the rules, as a new version; `ValidationError` for a rule that is not valid. */
  setRules(rules: RetentionRule[], note?: ChangeNote): Promise<RetentionRules> {
    return writeRules(this.host.backend, rules, note);
  }

  /** Every version of the rules, newest first. */
  rulesHistory(): Promise<RetentionRules[]> {
    return rulesHistory(this.host.backend);
  }

  async holds(id: string): Promise<EntryHolds> {
    await this.host.load(id);
    return (await readHolds(this.host.backend, id)).holds;
  }

  /** No delete and no purge of any version of the entry until released. */
  async setLegalHold(id: string, input: LegalHoldInput): Promise<EntryHolds> {
    await this.host.load(id);
    return setLegalHold(this.host.backend, id, input);
  }

  async releaseLegalHold(id: string): Promise<EntryHolds> {
    await this.host.load(id);
    return releaseLegalHold(this.host.backend, id);
  }

  /** Sets a retain-until date (governance by default): no delete and no purge before it. */
  async setRetainUntil(id: string, input: RetainUntilInput): Promise<EntryHolds> {
    await this.host.load(id);
    return setRetainUntil(this.host.backend, id, input);
  }

  /** A dry run: which versions and deleted entries would go, and the bytes freed. */
  plan(options: RetentionRunOptions = {}): Promise<RetentionPlan> {
    return planRetention(this.host, momentOf(options));
  }

  /** Removes what `plan` lists. Interrupted, it leaves a lake that the next `apply` finishes. */
  apply(options: RetentionRunOptions = {}): Promise<RetentionOutcome> {
    return applyRetention(this.host, momentOf(options));
  }
}

function momentOf(options: RetentionRunOptions): number {
  return options.now === undefined ? Date.now() : parseMoment(options.now, 'now');
}
