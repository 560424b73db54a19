import { useState } from 'preact/hooks';
import type { ApiError } from '../api.js';
import { ErrorNote } from './notes.js';

export function SignIn({
  error,
  onSignIn,
}: {
  error: ApiError | undefined;
  onSignIn: (token: string) => void;
}) {
  const [value, setValue] = useState('');
  return (
    <main id="main" class="sign-in">
      <h1>datalake</h1>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          onSignIn(value.trim());
        }}
      >
        <label for="token">Access token</label>
        <input
          id="token"
          name="token"
          type="password"
          autocomplete="off"
          spellcheck={false}
          required
          placeholder="dlk_…"
          aria-describedby="token-hint"
          value={value}
          onInput={(event) => setValue(event.currentTarget.value)}
        />
        <p id="token-hint" class="hint">
          The token stays in this tab only (session storage) and is sent to this server alone.
        </p>
        <button type="submit">Sign in</button>
      </form>
      <ErrorNote error={error} />
    </main>
  );
}
