import { useState } from 'preact/hooks';
import type { Api, ApiError, EntryHolds, RetentionMode } from '../api.js';
import type { Session } from '../app.js';
import { formatTime } from '../format.js';
import { asApiError, useLoad } from '../load.js';
import { ErrorNote, Loading } from './notes.js';

/** The holds on an entry, for whoever can read it; admins set and release them here. */
export function Holds({ session, id }: { session: Session; id: string }) {
  const { api } = session;
  const [reloads, setReloads] = useState(0);
  const [changed, setChanged] = useState<EntryHolds | undefined>();
  const loaded = useLoad(() => api.holds(id), [api, id, reloads]);
  const holds = changed ?? loaded.data;
  const update = (next: EntryHolds) => setChanged(next);
  return (
    <section aria-labelledby="holds-heading">
      <h2 id="holds-heading">Holds</h2>
      {loaded.loading && !holds ? <Loading what="the holds" /> : null}
      <ErrorNote error={loaded.error} />
      {holds ? (
        <dl class="meta">
          <dt>Legal hold</dt>
          <dd>
            {holds.legalHold
              ? `on since ${formatTime(holds.legalHold.since)}: ${holds.legalHold.reason}`
              : 'none'}
          </dd>
          <dt>Retained until</dt>
          <dd>
            {holds.retainUntil
              ? `${formatTime(holds.retainUntil.until)} (${holds.retainUntil.mode})`
              : 'no date'}
          </dd>
          {holds.overrides.length > 0 ? (
            <>
              <dt>Overrides</dt>
              <dd>
                <ul>
                  {holds.overrides.map((override) => (
                    <li key={override.at}>
                      {formatTime(override.at)}: {formatTime(override.from)} → {formatTime(override.to)}
                      {override.author ? ` by ${override.author}` : ''}
                      {override.message ? ` (${override.message})` : ''}
                    </li>
                  ))}
                </ul>
              </dd>
            </>
          ) : null}
        </dl>
      ) : null}
      {holds && session.isAdmin ? (
        <>
          <LegalHoldForm api={api} id={id} holds={holds} onChange={update} />
          <RetainUntilForm
            api={api}
            id={id}
            onChange={(next) => {
              update(next);
              setReloads((value) => value + 1);
            }}
          />
        </>
      ) : null}
    </section>
  );
}

function LegalHoldForm({
  api,
  id,
  holds,
  onChange,
}: {
  api: Api;
  id: string;
  holds: EntryHolds;
  onChange: (holds: EntryHolds) => void;
}) {
  const [reason, setReason] = useState('');
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState<ApiError | undefined>();
  const run = async (work: () => Promise<EntryHolds>) => {
    setError(undefined);
    try {
      onChange(await work());
      setReason('');
      setConfirming(false);
    } catch (failure) {
      setError(asApiError(failure));
    }
  };
  if (holds.legalHold)
    return (
      <div class="hold-form">
        {confirming ? (
          <p class="actions">
            <button type="button" class="danger" onClick={() => run(() => api.releaseLegalHold(id))}>
              Release the legal hold now
            </button>
            <button type="button" onClick={() => setConfirming(false)}>
              Cancel
            </button>
          </p>
        ) : (
          <p class="actions">
            <button type="button" onClick={() => setConfirming(true)}>
              Release the legal hold…
            </button>
          </p>
        )}
        <ErrorNote error={error} />
      </div>
    );
  return (
    <form
      class="hold-form"
      onSubmit={(event) => {
        event.preventDefault();
        void run(() => api.setLegalHold(id, reason));
      }}
    >
      <div class="field">
        <label for="hold-reason">Legal hold reason</label>
        <input id="hold-reason" value={reason} onInput={(event) => setReason(event.currentTarget.value)} />
      </div>
      <button type="submit">Put under legal hold</button>
      <ErrorNote error={error} />
    </form>
  );
}

function RetainUntilForm({
  api,
  id,
  onChange,
}: {
  api: Api;
  id: string;
  onChange: (holds: EntryHolds) => void;
}) {
  const [until, setUntil] = useState('');
  const [mode, setMode] = useState<RetentionMode>('governance');
  const [override, setOverride] = useState(false);
  const [message, setMessage] = useState('');
  const [error, setError] = useState<ApiError | undefined>();
  const submit = async (event: Event) => {
    event.preventDefault();
    setError(undefined);
    try {
      const date = until === '' ? null : new Date(`${until}T00:00:00Z`);
      if (date && Number.isNaN(date.getTime())) throw new Error('the date is not valid');
      onChange(
        await api.setRetainUntil(id, {
          until: date ? date.toISOString() : null,
          mode,
          override,
          ...(message ? { message } : {}),
        }),
      );
      setOverride(false);
      setMessage('');
    } catch (failure) {
      setError(asApiError(failure));
    }
  };
  return (
    <form class="hold-form" onSubmit={submit}>
      <fieldset>
        <legend>Retain until</legend>
        <div class="field">
          <label for="retain-until">Date (empty: remove)</label>
          <input
            id="retain-until"
            type="date"
            value={until}
            onInput={(event) => setUntil(event.currentTarget.value)}
          />
        </div>
        <div class="field">
          <label for="retain-mode">Mode</label>
          <select
            id="retain-mode"
            value={mode}
            onChange={(event) => setMode(event.currentTarget.value as RetentionMode)}
          >
            <option value="governance">governance (an override can shorten it)</option>
            <option value="compliance">compliance (nobody can shorten it)</option>
          </select>
        </div>
        <label class="check">
          <input
            type="checkbox"
            checked={override}
            onChange={(event) => setOverride(event.currentTarget.checked)}
          />{' '}
          Override a governance date (recorded in the audit log)
        </label>
        <div class="field">
          <label for="retain-message">Why (kept with an override)</label>
          <input
            id="retain-message"
            value={message}
            onInput={(event) => setMessage(event.currentTarget.value)}
          />
        </div>
        <button type="submit">Set the retention</button>
      </fieldset>
      <ErrorNote error={error} />
    </form>
  );
}
