import { useState } from 'preact/hooks';
import {
  type Api,
  type ApiError,
  DATA_TYPES,
  type Plan,
  type RetentionRule,
  type RetentionRules,
} from '../api.js';
import { formatBytes, formatTime } from '../format.js';
import { asApiError, useLoad } from '../load.js';
import { href } from '../route.js';
import { ErrorNote, Loading } from './notes.js';

/** Retention administration: the versioned rules, and the plan (a dry run) before applying it. */
export function Retention({ api }: { api: Api }) {
  const [reloads, setReloads] = useState(0);
  const rules = useLoad(() => api.rules(), [api, reloads]);
  const [editing, setEditing] = useState<RetentionRule | undefined>();
  const reload = () => setReloads((value) => value + 1);
  return (
    <>
      <h1 tabIndex={-1}>Retention</h1>
      <section aria-labelledby="rules-heading">
        <h2 id="rules-heading">Rules{rules.data ? ` (version ${rules.data.version})` : ''}</h2>
        {rules.loading && !rules.data ? <Loading what="the rules" /> : null}
        <ErrorNote error={rules.error} />
        {rules.data ? <RuleList api={api} rules={rules.data} onEdit={setEditing} onChanged={reload} /> : null}
        {rules.data ? (
          <RuleForm
            key={editing?.name ?? ''}
            api={api}
            version={rules.data.version}
            rule={editing}
            onSaved={() => {
              setEditing(undefined);
              reload();
            }}
            onCancel={() => setEditing(undefined)}
          />
        ) : null}
      </section>
      <PlanSection api={api} />
    </>
  );
}

export function describeRule(rule: RetentionRule): string {
  const match = rule.match ?? {};
  const scope = [
    match.dataType && `type ${match.dataType}`,
    match.pathPrefix && `below ${match.pathPrefix}`,
    match.metadata && `${match.metadata.key} = ${JSON.stringify(match.metadata.value)}`,
  ]
    .filter(Boolean)
    .join(', ');
  const keeps = [
    rule.keepLastVersions !== undefined && `keep the last ${rule.keepLastVersions} versions`,
    rule.keepNoncurrentDays !== undefined && `keep old versions ${rule.keepNoncurrentDays} days`,
    rule.purgeDeletedAfterDays !== undefined &&
      `purge deleted entries after ${rule.purgeDeletedAfterDays} days`,
  ]
    .filter(Boolean)
    .join('; ');
  return `${scope || 'every entry'}: ${keeps}`;
}

function RuleList({
  api,
  rules,
  onEdit,
  onChanged,
}: {
  api: Api;
  rules: RetentionRules;
  onEdit: (rule: RetentionRule) => void;
  onChanged: () => void;
}) {
  const [confirming, setConfirming] = useState<string | undefined>();
  const [error, setError] = useState<ApiError | undefined>();
  if (rules.rules.length === 0) return <p class="muted">No rules: every version is kept.</p>;
  const remove = async (name: string) => {
    setError(undefined);
    try {
      await api.deleteRule(name, rules.version);
      setConfirming(undefined);
      onChanged();
    } catch (failure) {
      setError(asApiError(failure));
    }
  };
  return (
    <>
      <p class="muted">
        Changed {formatTime(rules.at)}
        {rules.author ? ` by ${rules.author}` : ''}. Where several rules match, the most protective wins.
      </p>
      <ul class="rules">
        {rules.rules.map((rule) => (
          <li key={rule.name}>
            <h3>{rule.name}</h3>
            <p>{describeRule(rule)}</p>
            <p class="actions">
              <button type="button" onClick={() => onEdit(rule)}>
                Edit {rule.name}
              </button>
              {confirming === rule.name ? (
                <>
                  <button type="button" class="danger" onClick={() => remove(rule.name)}>
                    Delete {rule.name} now
                  </button>
                  <button type="button" onClick={() => setConfirming(undefined)}>
                    Cancel
                  </button>
                </>
              ) : (
                <button type="button" onClick={() => setConfirming(rule.name)}>
                  Delete {rule.name}…
                </button>
              )}
            </p>
          </li>
        ))}
      </ul>
      <ErrorNote error={error} />
    </>
  );
}

/** Text fields of the form, as typed. */
interface RuleFields {
  name: string;
  dataType: string;
  pathPrefix: string;
  metadataKey: string;
  metadataValue: string;
  keepLastVersions: string;
  keepNoncurrentDays: string;
  purgeDeletedAfterDays: string;
}

function fieldsOf(rule: RetentionRule | undefined): RuleFields {
  const text = (value: number | undefined) => (value === undefined ? '' : String(value));
  return {
    name: rule?.name ?? '',
    dataType: rule?.match?.dataType ?? '',
    pathPrefix: rule?.match?.pathPrefix ?? '',
    metadataKey: rule?.match?.metadata?.key ?? '',
    metadataValue: rule?.match?.metadata ? JSON.stringify(rule.match.metadata.value) : '',
    keepLastVersions: text(rule?.keepLastVersions),
    keepNoncurrentDays: text(rule?.keepNoncurrentDays),
    purgeDeletedAfterDays: text(rule?.purgeDeletedAfterDays),
  };
}

/** The rule the fields describe; numbers and values the server judges (a bad one comes back as its error). */
export function ruleOf(fields: RuleFields): RetentionRule {
  const number = (text: string) => (text.trim() === '' ? undefined : Number(text));
  const match: NonNullable<RetentionRule['match']> = {};
  if (fields.dataType) match.dataType = fields.dataType as NonNullable<typeof match.dataType>;
  if (fields.pathPrefix.trim()) match.pathPrefix = fields.pathPrefix.trim();
  if (fields.metadataKey.trim()) {
    let value: unknown = fields.metadataValue;
    try {
      value = JSON.parse(fields.metadataValue);
    } catch {
      // Not JSON: the text itself is the value.
    }
    match.metadata = { key: fields.metadataKey.trim(), value: value as never };
  }
  const rule: RetentionRule = { name: fields.name.trim() };
  if (Object.keys(match).length > 0) rule.match = match;
  for (const key of ['keepLastVersions', 'keepNoncurrentDays', 'purgeDeletedAfterDays'] as const) {
    const value = number(fields[key]);
    if (value !== undefined) rule[key] = value;
  }
  return rule;
}

function RuleForm({
  api,
  version,
  rule,
  onSaved,
  onCancel,
}: {
  api: Api;
  version: number;
  rule: RetentionRule | undefined;
  onSaved: () => void;
  onCancel: () => void;
}) {
  const [fields, setFields] = useState<RuleFields>(() => fieldsOf(rule));
  const [error, setError] = useState<ApiError | undefined>();
  const set = (key: keyof RuleFields) => (event: { currentTarget: { value: string } }) =>
    setFields((previous) => ({ ...previous, [key]: event.currentTarget.value }));
  const submit = async (event: Event) => {
    event.preventDefault();
    setError(undefined);
    try {
      if (fields.name.trim() === '') throw new Error('a rule needs a name');
      await api.putRule(ruleOf(fields), version);
      setFields(fieldsOf(undefined));
      onSaved();
    } catch (failure) {
      setError(asApiError(failure));
    }
  };
  const input = (key: keyof RuleFields, label: string, extra: Record<string, string> = {}) => (
    <div class="field">
      <label for={`rule-${key}`}>{label}</label>
      <input id={`rule-${key}`} value={fields[key]} onInput={set(key)} {...extra} />
    </div>
  );
  return (
    <form class="rule-form" onSubmit={submit} aria-labelledby="rule-form-heading">
      <h3 id="rule-form-heading">{rule ? `Edit ${rule.name}` : 'New rule'}</h3>
      {rule ? null : input('name', 'Name')}
      <div class="field">
        <label for="rule-dataType">Data type</label>
        <select id="rule-dataType" value={fields.dataType} onChange={set('dataType')}>
          <option value="">every type</option>
          {DATA_TYPES.map((type) => (
            <option key={type} value={type}>
              {type}
            </option>
          ))}
        </select>
      </div>
      {input('pathPrefix', 'Path prefix (e.g. schema/billing)')}
      {input('metadataKey', 'Metadata key')}
      {input('metadataValue', 'Metadata value (JSON or text)')}
      {input('keepLastVersions', 'Keep the last N versions', { inputmode: 'numeric' })}
      {input('keepNoncurrentDays', 'Keep old versions for N days', { inputmode: 'numeric' })}
      {input('purgeDeletedAfterDays', 'Purge deleted entries after N days', { inputmode: 'numeric' })}
      <p class="actions">
        <button type="submit">{rule ? 'Save the rule' : 'Add the rule'}</button>
        {rule ? (
          <button type="button" onClick={onCancel}>
            Cancel
          </button>
        ) : null}
      </p>
      <ErrorNote error={error} />
    </form>
  );
}

function PlanSection({ api }: { api: Api }) {
  const [plan, setPlan] = useState<Plan | undefined>();
  const [busy, setBusy] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [applied, setApplied] = useState('');
  const [error, setError] = useState<ApiError | undefined>();
  const preview = async () => {
    setBusy(true);
    setError(undefined);
    setApplied('');
    try {
      setPlan(await api.plan());
    } catch (failure) {
      setError(asApiError(failure));
    } finally {
      setBusy(false);
    }
  };
  const apply = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const outcome = await api.apply();
      const versions = outcome.versions.reduce((sum, item) => sum + item.versions.length, 0);
      setApplied(
        `Applied: ${versions} versions and ${outcome.entries.length} deleted entries removed, ${formatBytes(outcome.bytesFreed)} freed.`,
      );
      setPlan(undefined);
      setConfirming(false);
    } catch (failure) {
      setError(asApiError(failure));
    } finally {
      setBusy(false);
    }
  };
  const versions = plan ? plan.versions.reduce((sum, item) => sum + item.versions.length, 0) : 0;
  return (
    <section aria-labelledby="plan-heading">
      <h2 id="plan-heading">Plan and apply</h2>
      <p class="actions">
        <button type="button" onClick={preview} disabled={busy}>
          Preview the plan
        </button>
      </p>
      <p role="status" class="ok-text">
        {busy ? 'Working…' : applied}
      </p>
      <ErrorNote error={error} />
      {plan ? (
        <>
          <p class="plan-summary">
            {versions} versions of {plan.versions.length} entries and {plan.entries.length} deleted entries
            would go, freeing {formatBytes(plan.bytesFreed)} ({plan.bytesFreed} bytes).
          </p>
          {plan.versions.length > 0 ? (
            <ul class="plan">
              {plan.versions.map((item) => (
                <li key={item.id}>
                  <a href={href({ view: 'history', id: item.id })}>{item.filePath}</a>: versions{' '}
                  {item.versions.map((version) => version.version).join(', ')}
                </li>
              ))}
            </ul>
          ) : null}
          {plan.entries.length > 0 ? (
            <ul class="plan">
              {plan.entries.map((item) => (
                <li key={item.id}>
                  {item.filePath}: deleted {formatTime(item.deletedAt)}, goes whole
                </li>
              ))}
            </ul>
          ) : null}
          {confirming ? (
            <p class="actions">
              <button type="button" class="danger" onClick={apply} disabled={busy}>
                Apply now: remove them for good
              </button>
              <button type="button" onClick={() => setConfirming(false)}>
                Cancel
              </button>
            </p>
          ) : (
            <p class="actions">
              <button
                type="button"
                onClick={() => setConfirming(true)}
                disabled={versions + plan.entries.length === 0}
              >
                Apply the plan…
              </button>
            </p>
          )}
        </>
      ) : null}
    </section>
  );
}
