import {
  type ChangeNoteInput,
  type EntryHolds,
  type LegalHoldInput,
  NotFoundError,
  type RetainUntilInput,
  type RetentionOutcome,
  type RetentionPlan,
  type RetentionRule,
  type RetentionRules,
  type RetentionRunOptions,
  ValidationError,
} from '@datalake/core';

/** A JSON request to the server, as `RemoteLake` makes them (errors already turned into lake errors). */
export type JsonCall = <T>(method: string, path: string, body?: unknown) => Promise<T>;

/** A plan as the server gives it: `partial` when filtered to what a non-admin token can read. */
export interface RemoteRetentionPlan extends RetentionPlan {
  partial: boolean;
}

/** Guards a rule change: refused (`ConflictError`) unless the rules are at this version. */
export interface RulesChange extends ChangeNoteInput {
  ifVersion?: number;
}

/**
 * `lake.retention` over HTTP: the versioned rules, the holds on entries, plan and apply. Changing
 * rules or holds and applying need an admin token; a plan is filtered to what the token can read.
 */
export class RemoteRetention {
  constructor(private readonly call: JsonCall) {}

  rules(): Promise<RetentionRules> {
    return this.call('GET', '/v1/retention/rules');
  }

  /** Every version of the rules, newest first. */
  rulesHistory(): Promise<RetentionRules[]> {
    return this.call('GET', '/v1/retention/rules/versions');
  }

  /** One rule by name (`NotFoundError` when there is none). */
  rule(name: string): Promise<RetentionRule> {
    return this.call('GET', `/v1/retention/rules/${ruleSegment(name)}`);
  }

  /** Replaces every rule, as a new version. */
  setRules(rules: RetentionRule[], change: RulesChange = {}): Promise<RetentionRules> {
    return this.call('PUT', '/v1/retention/rules', { rules, ...change });
  }

  /** Creates or replaces the rule named `rule.name`, as a new version of the rules. */
  putRule(rule: RetentionRule, change: RulesChange = {}): Promise<RetentionRules> {
    const { name, ...settings } = rule;
    return this.call('PUT', `/v1/retention/rules/${ruleSegment(name)}`, { ...settings, ...change });
  }

  /** Removes one rule, as a new version of the rules. */
  deleteRule(name: string, change: RulesChange = {}): Promise<RetentionRules> {
    const query = new URLSearchParams();
    for (const [key, value] of Object.entries(change))
      if (value !== undefined && value !== null) query.set(key, String(value));
    const suffix = query.size > 0 ? `?${query}` : '';
    return this.call('DELETE', `/v1/retention/rules/${ruleSegment(name)}${suffix}`);
  }

  holds(id: string): Promise<EntryHolds> {
    return this.call('GET', `/v1/entries/${idSegment(id)}/holds`);
  }

  setLegalHold(id: string, input: LegalHoldInput): Promise<EntryHolds> {
    return this.call('PUT', `/v1/entries/${idSegment(id)}/holds/legal`, input);
  }

  releaseLegalHold(id: string): Promise<EntryHolds> {
    return this.call('DELETE', `/v1/entries/${idSegment(id)}/holds/legal`);
  }

  /** Governance by default; shortening a governance date needs `override` (audited), a compliance one is refused. */
  setRetainUntil(id: string, input: RetainUntilInput): Promise<EntryHolds> {
    const until = input.until === null ? null : momentOf(input.until, 'until');
    return this.call('PUT', `/v1/entries/${idSegment(id)}/holds/retain-until`, { ...input, until });
  }

  plan(options: RetentionRunOptions = {}): Promise<RemoteRetentionPlan> {
    return this.call('GET', `/v1/retention/plan${momentQuery(options)}`);
  }

  apply(options: RetentionRunOptions = {}): Promise<RetentionOutcome> {
    return this.call('POST', `/v1/retention/apply${momentQuery(options)}`);
  }
}

function momentQuery(options: RetentionRunOptions): string {
  return options.now === undefined ? '' : `?${new URLSearchParams({ now: momentOf(options.now, 'now') })}`;
}

function momentOf(value: Date | string, what: string): string {
  const time =
    value instanceof Date ? value.getTime() : typeof value === 'string' ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(time))
    throw new ValidationError(
      `${what} must be a Date or an ISO-8601 timestamp; got ${JSON.stringify(value)}`,
    );
  return new Date(time).toISOString();
}

function ruleSegment(name: string): string {
  if (typeof name !== 'string' || name.trim() === '' || !name.isWellFormed())
    throw new ValidationError(`a rule name is a non-empty string; got ${JSON.stringify(name)}`);
  if (name === '.' || name === '..')
    throw new NotFoundError(`no retention rule named ${JSON.stringify(name)}`, { details: { name } });
  return encodeURIComponent(name);
}

function idSegment(id: string): string {
  if (typeof id !== 'string') throw new ValidationError('id must be a string');
  if (!id.isWellFormed() || id === '.' || id === '..' || id === '')
    throw new NotFoundError(`no entry with id ${JSON.stringify(id)}`, { details: { id } });
  return encodeURIComponent(id);
}
