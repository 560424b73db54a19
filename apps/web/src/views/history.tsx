import { useEffect, useRef, useState } from 'preact/hooks';
import type { Api, ApiError, EntryHistory, EntryVersion } from '../api.js';
import type { Session } from '../app.js';
import { formatBytes, formatTime } from '../format.js';
import { allows } from '../grants.js';
import { asApiError } from '../load.js';
import { href } from '../route.js';
import { Holds } from './holds.js';
import { ErrorNote, Loading } from './notes.js';

const PAGE = 20;

const OPERATIONS: Record<EntryVersion['op'], string> = {
  store: 'Stored',
  update: 'Updated',
  delete: 'Deleted',
  restore: 'Restored',
  undelete: 'Undeleted',
};

/** An entry's versions, newest first, a page at a time; choose two to compare; restore or undelete. */
export function History({ session, id }: { session: Session; id: string }) {
  const { api } = session;
  const [pages, setPages] = useState<EntryHistory[]>([]);
  const [error, setError] = useState<ApiError | undefined>();
  const [loading, setLoading] = useState(true);
  const [reloads, setReloads] = useState(0);
  const [notice, setNotice] = useState('');
  const changed = (what: string) => {
    setNotice(what);
    setReloads((value) => value + 1);
  };

  const load = async (cursor: string | undefined, replace: boolean) => {
    setLoading(true);
    setError(undefined);
    try {
      const page = await api.history(id, cursor, PAGE);
      setPages((previous) => (replace ? [page] : [...previous, page]));
    } catch (failure) {
      setError(asApiError(failure));
    } finally {
      setLoading(false);
    }
  };
  useEffect(() => {
    void load(undefined, true);
  }, [api, id, reloads]);

  const first = pages[0];
  const versions = pages.flatMap((page) => page.versions);
  const cursor = pages.at(-1)?.cursor;
  const mayWrite = first !== undefined && allows(session.grants, 'write', first.filePath);
  const current = versions[0];
  return (
    <>
      <h1 tabIndex={-1}>History{first ? ` of ${first.filePath.split('/').at(-1)}` : ''}</h1>
      {first ? (
        <p class="path">
          {first.deleted ? (
            <>
              {first.filePath} <span class="badge deleted">deleted</span>
            </>
          ) : (
            <a href={href({ view: 'entry', id })}>{first.filePath}</a>
          )}
        </p>
      ) : null}
      <p role="status" class="ok-text">
        {notice}
      </p>
      <ErrorNote error={error} />
      {first?.deleted && mayWrite ? (
        <Undelete api={api} id={id} onDone={() => changed('Undeleted: the entry is back.')} />
      ) : null}
      {versions.length > 1 ? <CompareForm id={id} versions={versions} /> : null}
      {versions.length > 0 ? (
        <section aria-labelledby="versions-heading">
          <h2 id="versions-heading">Versions, newest first</h2>
          <ol class="timeline">
            {versions.map((version) => (
              <VersionItem
                key={version.version}
                api={api}
                id={id}
                version={version}
                canRestore={mayWrite && version !== current && !version.deleted && first?.deleted === false}
                onRestored={() => changed(`Restored version ${version.version} as a new version.`)}
              />
            ))}
          </ol>
        </section>
      ) : null}
      {loading ? <Loading what="the history" /> : null}
      {cursor && !loading ? (
        <p class="pager">
          <button type="button" onClick={() => load(cursor, false)}>
            Older versions
          </button>
        </p>
      ) : null}
      {first ? <Holds session={session} id={id} /> : null}
    </>
  );
}

function VersionItem({
  api,
  id,
  version,
  canRestore,
  onRestored,
}: {
  api: Api;
  id: string;
  version: EntryVersion;
  canRestore: boolean;
  onRestored: () => void;
}) {
  return (
    <li class={version.deleted ? 'version deleted' : 'version'}>
      <h3>
        Version {version.version}: {OPERATIONS[version.op]}
        {version.restoredFrom ? ` from version ${version.restoredFrom}` : ''}
      </h3>
      <p class="muted">
        {formatTime(version.at)}
        {version.author ? ` · by ${version.author}` : ''}
        {version.deleted ? '' : ` · ${formatBytes(version.size)}`}
      </p>
      {version.message ? <p class="message">“{version.message}”</p> : null}
      {canRestore ? <Restore api={api} id={id} version={version.version} onDone={onRestored} /> : null}
    </li>
  );
}

function CompareForm({ id, versions }: { id: string; versions: EntryVersion[] }) {
  const withContent = versions.filter((version) => !version.deleted);
  const [from, setFrom] = useState(withContent[1]?.version ?? withContent[0]?.version ?? 1);
  const [to, setTo] = useState(withContent[0]?.version ?? 1);
  if (withContent.length < 2) return null;
  return (
    <form
      class="compare"
      aria-labelledby="compare-heading"
      onSubmit={(event) => {
        event.preventDefault();
        location.hash = href({ view: 'diff', id, from, to });
      }}
    >
      <h2 id="compare-heading">Compare two versions</h2>
      <div class="field">
        <label for="diff-from">From version</label>
        <select id="diff-from" value={from} onChange={(event) => setFrom(Number(event.currentTarget.value))}>
          {withContent.map((version) => (
            <option key={version.version} value={version.version}>
              {version.version} · {formatTime(version.at)}
            </option>
          ))}
        </select>
      </div>
      <div class="field">
        <label for="diff-to">To version</label>
        <select id="diff-to" value={to} onChange={(event) => setTo(Number(event.currentTarget.value))}>
          {withContent.map((version) => (
            <option key={version.version} value={version.version}>
              {version.version} · {formatTime(version.at)}
            </option>
          ))}
        </select>
      </div>
      <button type="submit">Show the differences</button>
    </form>
  );
}

/** A change that needs a second, deliberate step: the first button asks, the second does it. */
function Confirmed({
  label,
  confirmLabel,
  run,
  onDone,
  idPrefix,
}: {
  label: string;
  confirmLabel: string;
  run: (message: string) => Promise<unknown>;
  onDone: () => void;
  idPrefix: string;
}) {
  const [asking, setAsking] = useState(false);
  const [message, setMessage] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | undefined>();
  const why = useRef<HTMLInputElement>(null);
  // The button that asked is gone: keyboard focus moves to the first field of the question.
  useEffect(() => {
    if (asking) why.current?.focus();
  }, [asking]);
  if (!asking)
    return (
      <p class="actions">
        <button type="button" onClick={() => setAsking(true)}>
          {label}…
        </button>
      </p>
    );
  const confirm = async () => {
    setBusy(true);
    setError(undefined);
    try {
      await run(message);
      setAsking(false);
      onDone();
    } catch (failure) {
      setError(asApiError(failure));
    } finally {
      setBusy(false);
    }
  };
  return (
    <fieldset class="confirm">
      <legend>{label}</legend>
      <div class="field">
        <label for={`${idPrefix}-message`}>Why (optional, kept with the new version)</label>
        <input
          ref={why}
          id={`${idPrefix}-message`}
          value={message}
          onInput={(event) => setMessage(event.currentTarget.value)}
        />
      </div>
      <p class="actions">
        <button type="button" class="danger" onClick={confirm} disabled={busy}>
          {confirmLabel}
        </button>
        <button type="button" onClick={() => setAsking(false)} disabled={busy}>
          Cancel
        </button>
      </p>
      <ErrorNote error={error} />
    </fieldset>
  );
}

function Restore({
  api,
  id,
  version,
  onDone,
}: {
  api: Api;
  id: string;
  version: number;
  onDone: () => void;
}) {
  return (
    <Confirmed
      label={`Restore version ${version}`}
      confirmLabel={`Restore version ${version} now`}
      idPrefix={`restore-${version}`}
      run={(message) => api.restore(id, version, message)}
      onDone={onDone}
    />
  );
}

function Undelete({ api, id, onDone }: { api: Api; id: string; onDone: () => void }) {
  return (
    <Confirmed
      label="Undelete this entry"
      confirmLabel="Undelete now"
      idPrefix="undelete"
      run={(message) => api.undelete(id, message)}
      onDone={onDone}
    />
  );
}
