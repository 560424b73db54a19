import { useEffect, useMemo, useState } from 'preact/hooks';
import { Api, type ApiError, type Grant } from './api.js';
import { asApiError } from './load.js';
import { parseRoute, type Route } from './route.js';
import { forgetToken, savedToken, saveToken } from './session.js';
import { Browse, prefetchBrowse } from './views/browse.js';
import { DiffView } from './views/diff.js';
import { EntryView } from './views/entry.js';
import { History } from './views/history.js';
import { Layout } from './views/layout.js';
import { Retention } from './views/retention.js';
import { Search } from './views/search.js';
import { SignIn } from './views/sign-in.js';
import { Tokens } from './views/tokens.js';
import { Upload } from './views/upload.js';

export interface Session {
  api: Api;
  tokenId: string | null;
  grants: Grant[];
  isAdmin: boolean;
}

export function App() {
  const [route, setRoute] = useState<Route>(() => parseRoute(location.hash));
  const [token, setToken] = useState<string | undefined>(savedToken);
  const [session, setSession] = useState<Session | undefined>();
  const [signInError, setSignInError] = useState<ApiError | undefined>();

  useEffect(() => {
    const onHash = () => setRoute(parseRoute(location.hash));
    addEventListener('hashchange', onHash);
    return () => removeEventListener('hashchange', onHash);
  }, []);

  const api = useMemo(() => (token ? new Api(token) : undefined), [token]);
  useEffect(() => {
    if (!api) return;
    let current = true;
    // The first view's data is fetched while the token is checked, not after.
    if (route.view === 'browse') prefetchBrowse(api, route);
    if (route.view === 'entry') api.prefetch(() => api.entry(route.id));
    api.whoami().then(
      (who) => {
        if (!current) return;
        setSession({
          api,
          tokenId: who.tokenId,
          grants: who.grants,
          isAdmin: who.grants.some((grant) => grant.actions.includes('admin')),
        });
      },
      (error) => {
        if (!current) return;
        forgetToken();
        setToken(undefined);
        setSignInError(asApiError(error));
      },
    );
    return () => {
      current = false;
    };
  }, [api]);

  if (!token) {
    return (
      <SignIn
        error={signInError}
        onSignIn={(value) => {
          saveToken(value);
          setSignInError(undefined);
          setSession(undefined);
          setToken(value);
        }}
      />
    );
  }
  if (!session) {
    return (
      <p class="muted" role="status">
        Signing in…
      </p>
    );
  }
  const signOut = () => {
    forgetToken();
    setSession(undefined);
    setToken(undefined);
  };
  return (
    <Layout route={route} session={session} onSignOut={signOut}>
      {view(route, session)}
    </Layout>
  );
}

function view(route: Route, session: Session) {
  switch (route.view) {
    case 'browse':
      return <Browse key={`${route.dataType}/${route.subpath}`} api={session.api} route={route} />;
    case 'search':
      return <Search api={session.api} route={route} />;
    case 'entry':
      return <EntryView key={route.id} api={session.api} id={route.id} />;
    case 'history':
      return <History key={route.id} session={session} id={route.id} />;
    case 'diff':
      return <DiffView api={session.api} id={route.id} from={route.from} to={route.to} />;
    case 'retention':
      return <Retention api={session.api} />;
    case 'upload':
      return <Upload api={session.api} />;
    case 'tokens':
      return <Tokens api={session.api} />;
  }
}
