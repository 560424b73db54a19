import type { Api, VersionDiff } from '../api.js';
import { useLoad } from '../load.js';
import { href } from '../route.js';
import { ErrorNote, Loading } from './notes.js';

/** The differences between two versions: metadata and content as unified diffs; binary content says so. */
export function DiffView({ api, id, from, to }: { api: Api; id: string; from: number; to: number }) {
  const diff = useLoad(() => api.diff(id, from, to), [api, id, from, to]);
  return (
    <>
      <h1 tabIndex={-1}>
        Version {from} → version {to}
      </h1>
      <p>
        <a href={href({ view: 'history', id })}>Back to the history</a>
      </p>
      {diff.loading ? <Loading what="the differences" /> : null}
      <ErrorNote error={diff.error} />
      {diff.data ? <DiffBody diff={diff.data} /> : null}
    </>
  );
}

function DiffBody({ diff }: { diff: VersionDiff }) {
  return (
    <>
      <section aria-labelledby="diff-meta-heading">
        <h2 id="diff-meta-heading">Metadata</h2>
        {diff.metadata === '' ? (
          <p class="muted">The metadata is the same.</p>
        ) : (
          <Unified text={diff.metadata} label="Metadata changes" />
        )}
      </section>
      <section aria-labelledby="diff-content-heading">
        <h2 id="diff-content-heading">Content</h2>
        {diff.binary ? (
          <p class="binary">
            {diff.content === '' ? 'Binary content, the same in both versions.' : diff.content.trim()}
          </p>
        ) : null}
        {!diff.binary && diff.content === '' ? <p class="muted">The content is the same.</p> : null}
        {!diff.binary && diff.content !== '' ? <Unified text={diff.content} label="Content changes" /> : null}
      </section>
    </>
  );
}

/** A unified diff, each line marked by its first character and, for sight, its colour. */
function Unified({ text, label }: { text: string; label: string }) {
  const lines = text.replace(/\n$/, '').split('\n');
  return (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a region that may scroll sideways must be reachable by keyboard
    <section class="diff" tabIndex={0} aria-label={label}>
      <pre>
        {lines.map((line, index) => (
          <span key={index} class={lineClass(line)}>
            {line}
            {'\n'}
          </span>
        ))}
      </pre>
    </section>
  );
}

function lineClass(line: string): string {
  if (line.startsWith('+++') || line.startsWith('---')) return 'file';
  if (line.startsWith('@@')) return 'hunk';
  if (line.startsWith('+')) return 'added';
  if (line.startsWith('-')) return 'removed';
  return 'same';
}
