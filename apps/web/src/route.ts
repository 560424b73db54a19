import { DATA_TYPES, type DataType, type SearchMode } from './api.js';

/** Where the page is: kept in the URL's hash, so every view can be linked, bookmarked and gone back to. */
export type Route =
  | { view: 'browse'; dataType: DataType | undefined; subpath: string }
  | { view: 'search'; query: string; mode: SearchMode; dataType: DataType | undefined; subpath: string }
  | { view: 'entry'; id: string }
  | { view: 'upload' }
  | { view: 'tokens' };

export function parseRoute(hash: string): Route {
  const [path = '', search = ''] = hash.replace(/^#\/?/, '').split('?', 2);
  const params = new URLSearchParams(search);
  const dataType = typeOf(params.get('type'));
  const subpath = params.get('folder') ?? '';
  if (path.startsWith('entry/'))
    return { view: 'entry', id: decodeURIComponent(path.slice('entry/'.length)) };
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
    default:
      return `#/${route.view}`;
  }
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
