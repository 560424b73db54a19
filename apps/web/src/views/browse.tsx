import { useState } from 'preact/hooks';
import { type Api, DATA_TYPES } from '../api.js';
import { useLoad } from '../load.js';
import { href, type Route } from '../route.js';
import { EntryList } from './entry-list.js';
import { ErrorNote, Loading } from './notes.js';

/** Entries per page: the server answers one page at a time; the page never asks for the whole listing. */
export const PAGE_SIZE = 50;

type BrowseRoute = Extract<Route, { view: 'browse' }>;

/** The requests a browse view makes first, to start while the token is being checked. */
export function prefetchBrowse(api: Api, { dataType, subpath }: BrowseRoute): void {
  api.prefetch(() => [
    api.stats(),
    api.folders(dataType, subpath),
    api.list({ dataType, subpath, limit: PAGE_SIZE, cursor: undefined }),
  ]);
}

export function Browse({ api, route }: { api: Api; route: BrowseRoute }) {
  const { dataType, subpath } = route;
  const stats = useLoad(() => api.stats(), [api]);
  const folders = useLoad(() => api.folders(dataType, subpath), [api, dataType, subpath]);
  // Cursors of the pages seen so far: the last one is the current page's (undefined for the first).
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const cursor = cursors.at(-1);
  const page = useLoad(
    () => api.list({ dataType, subpath, limit: PAGE_SIZE, cursor }),
    [api, dataType, subpath, cursor],
  );
  const segments = subpath === '' ? [] : subpath.split('/');

  return (
    <>
      <h1 tabIndex={-1}>Browse</h1>
      <nav aria-label="Data types" class="types">
        <ul>
          {[undefined, ...DATA_TYPES].map((type) => (
            <li key={type ?? 'all'}>
              <a
                href={href({ view: 'browse', dataType: type, subpath })}
                aria-current={type === dataType ? 'page' : undefined}
              >
                {type ?? 'all types'}
                {stats.data
                  ? ` (${type ? (stats.data.entriesByType[type] ?? 0) : stats.data.totalEntries})`
                  : ''}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <ErrorNote error={stats.error} />

      <nav aria-label="Folder path" class="crumbs">
        <ol>
          <li>
            <a
              href={href({ view: 'browse', dataType, subpath: '' })}
              aria-current={segments.length === 0 ? 'page' : undefined}
            >
              {dataType ?? 'all types'}
            </a>
          </li>
          {segments.map((segment, index) => (
            <li key={segments.slice(0, index + 1).join('/')}>
              <a
                href={href({ view: 'browse', dataType, subpath: segments.slice(0, index + 1).join('/') })}
                aria-current={index === segments.length - 1 ? 'page' : undefined}
              >
                {segment}
              </a>
            </li>
          ))}
        </ol>
      </nav>

      <section aria-labelledby="folders-heading">
        <h2 id="folders-heading">Folders</h2>
        {folders.loading && !folders.data ? <Loading what="folders" /> : null}
        <ErrorNote error={folders.error} />
        {folders.data && folders.data.folders.length === 0 ? (
          <p class="muted">No folders below this one.</p>
        ) : null}
        {folders.data && folders.data.folders.length > 0 ? (
          <ul class="folders">
            {folders.data.folders.map((folder) => (
              <li key={folder.subpath}>
                <a href={href({ view: 'browse', dataType, subpath: folder.subpath })}>
                  {folder.name}/<span class="muted"> {folder.entries} entries</span>
                </a>
              </li>
            ))}
          </ul>
        ) : null}
      </section>

      <section aria-labelledby="entries-heading">
        <h2 id="entries-heading">Entries in this folder</h2>
        {page.loading && !page.data ? <Loading what="entries" /> : null}
        <ErrorNote error={page.error} />
        {page.data && page.data.entries.length === 0 ? (
          <p class="muted">No entries directly in this folder.</p>
        ) : null}
        {page.data && page.data.entries.length > 0 ? (
          <EntryList entries={page.data.entries} label={`Entries, page ${cursors.length}`} />
        ) : null}
        <div class="pager">
          <button
            type="button"
            disabled={cursors.length === 1}
            onClick={() => setCursors((seen) => seen.slice(0, -1))}
          >
            Previous page
          </button>
          <span aria-live="polite">Page {cursors.length}</span>
          <button
            type="button"
            disabled={!page.data?.cursor}
            onClick={() => setCursors((seen) => [...seen, page.data?.cursor])}
          >
            Next page
          </button>
        </div>
      </section>
    </>
  );
}
