import { useState } from 'preact/hooks';
import {
  ACTIONS,
  type Action,
  type Api,
  type ApiError,
  DATA_TYPES,
  type Grant,
  type TokenInfo,
} from '../api.js';
import { formatTime } from '../format.js';
import { asApiError, useLoad } from '../load.js';
import { ErrorNote, Loading } from './notes.js';

/** Token administration (admin tokens): list, create with one grant, revoke. */
export function Tokens({ api }: { api: Api }) {
  const [version, setVersion] = useState(0);
  const tokens = useLoad(() => api.tokens(), [api, version]);
  const reload = () => setVersion((value) => value + 1);
  return (
    <>
      <h1 tabIndex={-1}>Tokens</h1>
      <CreateToken api={api} onCreated={reload} />
      <section aria-labelledby="tokens-heading">
        <h2 id="tokens-heading">Every token</h2>
        {tokens.loading && !tokens.data ? <Loading what="tokens" /> : null}
        <ErrorNote error={tokens.error} />
        {tokens.data ? (
          <ul class="tokens">
            {tokens.data.map((token) => (
              <TokenItem key={token.id} api={api} token={token} onRevoked={reload} />
            ))}
          </ul>
        ) : null}
      </section>
    </>
  );
}

function describeGrant(grant: Grant): string {
  const scope = [grant.dataType && `type ${grant.dataType}`, grant.pathPrefix && `folder ${grant.pathPrefix}`]
    .filter(Boolean)
    .join(', ');
  return `${grant.actions.join(', ')} on ${scope || 'the whole lake'}`;
}

function TokenItem({ api, token, onRevoked }: { api: Api; token: TokenInfo; onRevoked: () => void }) {
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState<ApiError | undefined>();
  const revoke = async () => {
    try {
      await api.revokeToken(token.id);
      onRevoked();
    } catch (failure) {
      setError(asApiError(failure));
    }
  };
  return (
    <li>
      <h3>{token.name}</h3>
      <p class="hash">{token.id}</p>
      <ul class="grants">
        {token.grants.length === 0 ? <li>no grants</li> : null}
        {token.grants.map((grant) => (
          <li key={describeGrant(grant)}>{describeGrant(grant)}</li>
        ))}
      </ul>
      <p class="muted">
        created {formatTime(token.createdAt)} · expires {formatTime(token.expiresAt)} · last used{' '}
        {formatTime(token.lastUsedAt)}
      </p>
      {confirming ? (
        <p class="actions">
          <button type="button" class="danger" onClick={revoke}>
            Revoke {token.name} now
          </button>
          <button type="button" onClick={() => setConfirming(false)}>
            Cancel
          </button>
        </p>
      ) : (
        <button type="button" onClick={() => setConfirming(true)}>
          Revoke {token.name}…
        </button>
      )}
      <ErrorNote error={error} />
    </li>
  );
}

function CreateToken({ api, onCreated }: { api: Api; onCreated: () => void }) {
  const [name, setName] = useState('');
  const [actions, setActions] = useState<Action[]>(['read']);
  const [dataType, setDataType] = useState('');
  const [pathPrefix, setPathPrefix] = useState('');
  const [expires, setExpires] = useState('');
  const [error, setError] = useState<ApiError | undefined>();
  const [created, setCreated] = useState<string | undefined>();

  const submit = async (event: Event) => {
    event.preventDefault();
    setError(undefined);
    setCreated(undefined);
    const grant: Grant = {
      actions,
      ...(dataType ? { dataType: dataType as Grant['dataType'] } : {}),
      ...(pathPrefix ? { pathPrefix } : {}),
    };
    try {
      const made = await api.createToken({
        name,
        grants: [grant],
        ...(expires ? { expiresAt: new Date(`${expires}T23:59:59Z`).toISOString() } : {}),
      });
      setCreated(made.token);
      setName('');
      onCreated();
    } catch (failure) {
      setError(asApiError(failure));
    }
  };

  return (
    <section aria-labelledby="create-heading">
      <h2 id="create-heading">Create a token</h2>
      <form class="token-form" onSubmit={submit}>
        <div class="field">
          <label for="token-name">Name</label>
          <input id="token-name" value={name} onInput={(event) => setName(event.currentTarget.value)} />
        </div>
        <fieldset>
          <legend>Actions</legend>
          {ACTIONS.map((action) => (
            <label key={action} class="check">
              <input
                type="checkbox"
                checked={actions.includes(action)}
                onChange={(event) =>
                  setActions((chosen) =>
                    event.currentTarget.checked
                      ? [...chosen, action]
                      : chosen.filter((item) => item !== action),
                  )
                }
              />{' '}
              {action}
            </label>
          ))}
        </fieldset>
        <div class="field">
          <label for="token-type">Data type</label>
          <select
            id="token-type"
            value={dataType}
            onChange={(event) => setDataType(event.currentTarget.value)}
          >
            <option value="">every type</option>
            {DATA_TYPES.map((type) => (
              <option key={type} value={type}>
                {type}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="token-folder">Folder</label>
          <input
            id="token-folder"
            value={pathPrefix}
            placeholder="every folder"
            onInput={(event) => setPathPrefix(event.currentTarget.value)}
          />
        </div>
        <div class="field">
          <label for="token-expires">Expires (optional)</label>
          <input
            id="token-expires"
            type="date"
            value={expires}
            onInput={(event) => setExpires(event.currentTarget.value)}
          />
        </div>
        <button type="submit">Create token</button>
      </form>
      <ErrorNote error={error} />
      {created ? (
        <div role="status" class="ok">
          <p>The new token, shown this once: copy it now.</p>
          <code class="secret">{created}</code>
        </div>
      ) : null}
    </section>
  );
}
