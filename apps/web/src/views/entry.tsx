import { useState } from 'preact/hooks';
import type { Api, ApiError, Entry } from '../api.js';
import { formatBytes, formatTime, previewText } from '../format.js';
import { asApiError, useLoad } from '../load.js';
import { href } from '../route.js';
import { ErrorNote, Loading } from './notes.js';

/** The preview reads at most this much of the content (a Range request), and shows at most so many lines. */
const PREVIEW_BYTES = 256 * 1024;
const PREVIEW_LINES = 5000;

export function EntryView({ api, id }: { api: Api; id: string }) {
  const entry = useLoad(() => api.entry(id), [api, id]);
  return (
    <>
      <h1 tabIndex={-1}>{entry.data?.name ?? 'Entry'}</h1>
      {entry.loading ? <Loading what="the entry" /> : null}
      <ErrorNote error={entry.error} />
      {entry.data ? <EntryDetails api={api} entry={entry.data} /> : null}
    </>
  );
}

function EntryDetails({ api, entry }: { api: Api; entry: Entry }) {
  const folder = entry.subpath;
  return (
    <>
      <p class="path">{entry.filePath}</p>
      <p>
        <a href={href({ view: 'history', id: entry.id })}>History: versions, differences, restore</a>
      </p>
      <Download api={api} entry={entry} />
      <section aria-labelledby="meta-heading">
        <h2 id="meta-heading">Metadata</h2>
        <dl class="meta">
          <dt>Data type</dt>
          <dd>
            <a href={href({ view: 'browse', dataType: entry.dataType, subpath: '' })}>{entry.dataType}</a>
          </dd>
          <dt>Folder</dt>
          <dd>
            {folder === '' ? (
              '—'
            ) : (
              <a href={href({ view: 'browse', dataType: entry.dataType, subpath: folder })}>{folder}</a>
            )}
          </dd>
          <dt>Size</dt>
          <dd>
            {formatBytes(entry.size)} ({entry.size} bytes)
          </dd>
          <dt>Created</dt>
          <dd>{formatTime(entry.createdAt)}</dd>
          <dt>Updated</dt>
          <dd>{formatTime(entry.updatedAt)}</dd>
          <dt>SHA-256</dt>
          <dd class="hash">{entry.sha256}</dd>
          <dt>Id</dt>
          <dd class="hash">{entry.id}</dd>
        </dl>
        {Object.keys(entry.metadata).length > 0 ? (
          // biome-ignore lint/a11y/noNoninteractiveTabindex: a region that may scroll sideways must be reachable by keyboard
          <pre class="json" tabIndex={0}>
            {JSON.stringify(entry.metadata, null, 2)}
          </pre>
        ) : (
          <p class="muted">No metadata of its own.</p>
        )}
      </section>
      <Preview api={api} entry={entry} />
    </>
  );
}

function Download({ api, entry }: { api: Api; entry: Entry }) {
  const [state, setState] = useState<{ busy: boolean; error?: ApiError; done?: boolean }>({ busy: false });
  const download = async () => {
    setState({ busy: true });
    try {
      // The API needs the token in a header, which a plain link cannot send: fetch, then save the bytes.
      const blob = await api.content(entry.id);
      const url = URL.createObjectURL(blob);
      const link = document.createElement('a');
      link.href = url;
      link.download = entry.name;
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
      setState({ busy: false, done: true });
    } catch (error) {
      setState({ busy: false, error: asApiError(error) });
    }
  };
  return (
    <div class="actions">
      <button type="button" onClick={download} disabled={state.busy}>
        Download {entry.name}
      </button>
      <span role="status" class="muted">
        {state.busy ? 'Downloading…' : state.done ? 'Downloaded.' : ''}
      </span>
      <ErrorNote error={state.error} />
    </div>
  );
}

function Preview({ api, entry }: { api: Api; entry: Entry }) {
  const head = useLoad(() => api.head(entry, PREVIEW_BYTES), [api, entry.id, entry.sha256]);
  const text = head.data ? previewText(head.data) : undefined;
  const lines = text === undefined ? [] : text.split('\n');
  if (lines.length > 1 && lines.at(-1) === '' && entry.size <= PREVIEW_BYTES) lines.pop();
  const shown = lines.slice(0, PREVIEW_LINES);
  const partial = entry.size > PREVIEW_BYTES || lines.length > PREVIEW_LINES;
  return (
    <section aria-labelledby="content-heading">
      <h2 id="content-heading">Content</h2>
      {head.loading ? <Loading what="the content" /> : null}
      <ErrorNote error={head.error} />
      {head.data && text === undefined ? <p>Binary content: no preview. Download it to open it.</p> : null}
      {head.data && text !== undefined && entry.size === 0 ? <p class="muted">Empty.</p> : null}
      {shown.length > 0 && entry.size > 0 ? (
        <>
          {partial ? (
            <p class="muted">Showing the first {shown.length} lines; download the entry for all of it.</p>
          ) : null}
          {/* biome-ignore lint/a11y/noNoninteractiveTabindex: a region that may scroll sideways must be reachable by keyboard */}
          <ol class="code" aria-label={`Content of ${entry.name}, with line numbers`} tabIndex={0}>
            {shown.map((line, index) => (
              <li key={index}>
                <span class="ln" aria-hidden="true">
                  {index + 1}
                </span>
                <code>{line.replace(/\r$/, '') || ' '}</code>
              </li>
            ))}
          </ol>
        </>
      ) : null}
    </section>
  );
}
