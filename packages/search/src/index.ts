export {
  BINARY_PROBE_BYTES,
  DEFAULT_MAX_INDEXED_BYTES,
  isBinary,
} from './content-rule.js';
export type { SearchHost } from './host.js';
export { scanSearch } from './scan.js';
export { SEGMENT_PREFIX, SearchIndex } from './search-index.js';
export type * from './types.js';
