import type { Entry } from '../api.js';
import { formatBytes, formatTime } from '../format.js';
import { href } from '../route.js';

export function EntryList({ entries, label }: { entries: Entry[]; label: string }) {
  return (
    <ul class="entries" aria-label={label}>
      {entries.map((entry) => (
        <li key={entry.id}>
          <a href={href({ view: 'entry', id: entry.id })}>{entry.name}</a>
          <span class="path">{entry.filePath}</span>
          <span class="muted">
            {formatBytes(entry.size)} · {formatTime(entry.updatedAt ?? entry.createdAt)}
          </span>
        </li>
      ))}
    </ul>
  );
}
