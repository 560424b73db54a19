import { useEffect, useState } from 'preact/hooks';
import { type Api, type ApiError, DATA_TYPES, type SearchHit, type SearchMode } from '../api.js';
import { highlightParts } from '../format.js';
import { asApiError } from '../load.js';
import { href, type Route } from '../route.js';
import { ErrorNote, Loading } from './notes.js';

const PAGE_SIZE = 20;
const LINES_PER_HIT = 5;

type SearchRoute = Extract<Route, { view: 'search' }>;

export function Search({ api, route }: { api: Api; route: SearchRoute }) {
  const [draft, setDraft] = useState(route);
  useEffect(() => setDraft(route), [route.query, route.mode, route.dataType, route.subpath]);

  const [hits, setHits] = useState<SearchHit[]>([]);
  const [cursor, setCursor] = useState<string | undefined>();
  const [error, setError] = useState<ApiError | undefined>();
  const [loading, setLoading] = useState(false);

  const request = (after: string | undefined) =>
    api.search({
      query: route.query,
      mode: route.mode,
      ...(route.dataType ? { dataType: route.dataType } : {}),
      ...(route.subpath ? { subpath: route.subpath } : {}),
      limit: PAGE_SIZE,
      maxLinesPerHit: LINES_PER_HIT,
      ...(after ? { cursor: after } : {}),
    });

  useEffect(() => {
    setHits([]);
    setCursor(undefined);
    setError(undefined);
    if (route.query === '') return;
    let current = true;
    setLoading(true);
    request(undefined).then(
      (page) => {
        if (!current) return;
        setHits(page.hits);
        setCursor(page.cursor);
        setLoading(false);
      },
      (failure) => {
        if (!current) return;
        setError(asApiError(failure));
        setLoading(false);
      },
    );
    return () => {
      current = false;
    };
  }, [api, route.query, route.mode, route.dataType, route.subpath]);

  const more = async () => {
    setLoading(true);
    try {
      const page = await request(cursor);
      setHits((shown) => [...shown, ...page.hits]);
      setCursor(page.cursor);
    } catch (failure) {
      setError(asApiError(failure));
    } finally {
      setLoading(false);
    }
  };

  return (
    <>
      <h1 tabIndex={-1}>Search</h1>
      <search>
        <form
          class="search-form"
          onSubmit={(event) => {
            event.preventDefault();
            location.hash = href({ ...draft, view: 'search' });
          }}
        >
          <div class="field wide">
            <label for="q">Search for</label>
            <input
              id="q"
              type="search"
              value={draft.query}
              onInput={(event) => setDraft({ ...draft, query: event.currentTarget.value })}
            />
          </div>
          <div class="field">
            <label for="mode">Mode</label>
            <select
              id="mode"
              value={draft.mode}
              onChange={(event) => setDraft({ ...draft, mode: event.currentTarget.value as SearchMode })}
            >
              <option value="substring">text</option>
              <option value="words">words (ranked)</option>
              <option value="regex">regular expression</option>
            </select>
          </div>
          <div class="field">
            <label for="search-type">Data type</label>
            <select
              id="search-type"
              value={draft.dataType ?? ''}
              onChange={(event) => {
                const value = event.currentTarget.value;
                setDraft({
                  ...draft,
                  dataType: value === '' ? undefined : (value as SearchRoute['dataType']),
                });
              }}
            >
              <option value="">all types</option>
              {DATA_TYPES.map((type) => (
                <option key={type} value={type}>
                  {type}
                </option>
              ))}
            </select>
          </div>
          <div class="field">
            <label for="search-folder">Folder</label>
            <input
              id="search-folder"
              value={draft.subpath}
              placeholder="any"
              onInput={(event) => setDraft({ ...draft, subpath: event.currentTarget.value })}
            />
          </div>
          <button type="submit">Search</button>
        </form>
      </search>

      <ErrorNote error={error} />
      {route.query !== '' && !loading && !error ? (
        <p role="status">
          {hits.length === 0
            ? 'No matches.'
            : `${hits.length} ${hits.length === 1 ? 'entry' : 'entries'} shown${cursor ? ', more available' : ''}.`}
        </p>
      ) : null}
      {hits.length > 0 ? (
        <ol class="hits" aria-label="Search results">
          {hits.map((hit) => (
            <Hit key={hit.entry.id} hit={hit} />
          ))}
        </ol>
      ) : null}
      {loading ? <Loading what="results" /> : null}
      {cursor && !loading ? (
        <button type="button" onClick={more}>
          More results
        </button>
      ) : null}
    </>
  );
}

function Hit({ hit }: { hit: SearchHit }) {
  const hidden = hit.lineMatchCount - hit.lines.length;
  return (
    <li class="hit">
      <h2>
        <a href={href({ view: 'entry', id: hit.entry.id })}>{hit.entry.name}</a>
      </h2>
      <p class="path">
        {hit.entry.filePath} <span class="muted">· matched in {hit.matchedIn.join(', ')}</span>
      </p>
      {hit.lines.length > 0 ? (
        // biome-ignore lint/a11y/noNoninteractiveTabindex: a region that may scroll sideways must be reachable by keyboard
        <ol class="lines" aria-label={`Matching lines of ${hit.entry.name}`} tabIndex={0}>
          {hit.lines.map((line) => (
            <li key={line.line}>
              <span class="ln">{line.line}</span>
              <code>
                {highlightParts(line.text, line.ranges).map((part, index) =>
                  part.hit ? <mark key={index}>{part.text}</mark> : part.text,
                )}
              </code>
            </li>
          ))}
        </ol>
      ) : null}
      {hidden > 0 ? (
        <p class="muted">
          and {hidden} more matching {hidden === 1 ? 'line' : 'lines'}
        </p>
      ) : null}
    </li>
  );
}
