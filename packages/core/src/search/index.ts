export type { SearchHost } from './host.js';
export { scanSearch } from './scan.js';
export { SearchIndex } from './search-index.js';
export type { IndexCheckReport, IndexReport, SearchIndexOptions } from './types.js';
