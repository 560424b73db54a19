export { DataLake, type DataLakeOptions } from './lake/data-lake.js';
export * from './model/errors.js';
export * from './model/data-type.js';
export type * from './model/entry.js';
export type * from './search/types.js';
export type * from './backend/types.js';
export { assertValidKey, assertValidPrefix, compareKeys, MAX_KEY_BYTES, MAX_SEGMENT_BYTES } from './backend/keys.js';
export {
  commonPrefix,
  DEFAULT_LIST_LIMIT,
  decodeCursor,
  encodeCursor,
  normaliseLimit,
  pageFromSortedObjects,
} from './backend/list-page.js';
export { bodyChunks, collectBody } from './backend/body.js';
