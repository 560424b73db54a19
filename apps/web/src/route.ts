import { DATA_TYPES, type DataType, type SearchMode } from './api.js';

/** Where the page is: kept in the URL's hash, so every view can be linked, bookmarked and gone back to. */
export type Route =
  | { view: 'browse'; dataType: DataType | undefined; subpath: string }
  | { view: 'search'; query: string; mode: SearchMode; dataType: DataType | undefined; subpath: string }
  | { view: 'entry'; id: string }
  | { view: 'history'; id: string }
  | { view: 'diff'; id: string; from: number; to: number }
  | { view: 'retention' }
  | { view: 'upload' }
  | { view: 'tokens' };

export function parseRoute(hash: string): Route {
  const [path = '', search = ''] = hash.replace(/^#\/?/, '').split('?', 2);
  const params = new URLSearchParams(search);
  const dataType = typeOf(params.get('type'));
  const subpath = params.get('folder') ?? '';
  if (path.startsWith('entry/')) {
    const [id = '', part] = path.slice('entry/'.length).split('/', 2);
    const entryId = decodeURIComponent(id);
    if (part === 'history') return { view: 'history', id: entryId };
    if (part === 'diff')
      return {
        view: 'diff',
        id: entryId,
        from: versionOf(params.get('from')),
        to: versionOf(params.get('to')),
      };
    return { view: 'entry', id: entryId };
  }
  if (path === 'search') {
    const mode = params.get('mode');
    return {
      view: 'search',
      query: params.get('q') ?? '',
      mode: mode === 'words' || mode === 'regex' ? mode : 'substring',
      dataType,
      subpath,
    };
  }
  if (path === 'upload') return { view: 'upload' };
  if (path === 'tokens') return { view: 'tokens' };
  if (path === 'retention') return { view: 'retention' };
  return { view: 'browse', dataType, subpath };
}

export function href(route: Route): string {
  switch (route.view) {
    case 'browse':
      return `#/browse${params({ type: route.dataType, folder: route.subpath })}`;
    case 'search':
      return `#/search${params({
        q: route.query,
        mode: route.mode === 'substring' ? undefined : route.mode,
        type: route.dataType,
        folder: route.subpath,
      })}`;
    case 'entry':
      return `#/entry/${encodeURIComponent(route.id)}`;
    case 'history':
      return `#/entry/${encodeURIComponent(route.id)}/history`;
    case 'diff':
      return `#/entry/${encodeURIComponent(route.id)}/diff${params({ from: String(route.from), to: String(route.to) })}`;
    default:
      return `#/${route.view}`;
  }
}

/** A version number from the URL (0, which names no version, for anything else). */
function versionOf(value: string | null): number {
  const number = Number(value);
  return Number.isSafeInteger(number) && number >= 1 ? number : 0;
}

function typeOf(value: string | null): DataType | undefined {
  return (DATA_TYPES as readonly string[]).includes(value ?? '') ? (value as DataType) : undefined;
}

function params(values: Record<string, string | undefined>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(values)) if (value) search.set(key, value);
  const text = search.toString();
  return text === '' ? '' : `?${text}`;
}
