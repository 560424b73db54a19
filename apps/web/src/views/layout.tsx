import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import type { Session } from '../app.js';
import { href, type Route } from '../route.js';

const TITLES: Record<Route['view'], string> = {
  browse: 'Browse',
  search: 'Search',
  entry: 'Entry',
  upload: 'Upload',
  tokens: 'Tokens',
  history: 'History',
  diff: 'Differences',
  retention: 'Retention',
};

export function Layout({
  route,
  session,
  onSignOut,
  children,
}: {
  route: Route;
  session: Session;
  onSignOut: () => void;
  children: ComponentChildren;
}) {
  const hash = href(route);
  const firstView = useRef(true);
  useEffect(() => {
    document.title = `${TITLES[route.view]} · datalake`;
    // Moving focus to a new view's heading tells keyboard and screen reader users the view changed;
    // on the first view focus stays at the start of the page, where the skip link is.
    if (firstView.current) firstView.current = false;
    else (document.querySelector('main h1') as HTMLElement | null)?.focus();
  }, [hash]);
  const links: { view: Route['view']; label: string; to: string }[] = [
    { view: 'browse', label: 'Browse', to: '#/browse' },
    { view: 'search', label: 'Search', to: '#/search' },
    { view: 'upload', label: 'Upload', to: '#/upload' },
    ...(session.isAdmin
      ? [
          { view: 'tokens' as const, label: 'Tokens', to: '#/tokens' },
          { view: 'retention' as const, label: 'Retention', to: '#/retention' },
        ]
      : []),
  ];
  return (
    <>
      <button type="button" class="skip" onClick={skipToMain}>
        Skip to content
      </button>
      <header class="top">
        <a class="brand" href="#/browse">
          datalake
        </a>
        <nav aria-label="Main" class="main-nav">
          <ul>
            {links.map((link) => (
              <li key={link.view}>
                <a href={link.to} aria-current={route.view === link.view ? 'page' : undefined}>
                  {link.label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <p class="who">
          <span class="muted">Token {session.tokenId ?? 'anonymous'}</span>{' '}
          <button type="button" class="link" onClick={onSignOut}>
            Sign out
          </button>
        </p>
      </header>
      <main id="main" tabIndex={-1}>
        {children}
      </main>
    </>
  );
}

/** A skip link that does not touch the hash, which holds the route. */
function skipToMain() {
  (document.getElementById('main') as HTMLElement).focus();
}
