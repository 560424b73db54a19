export { bodyChunks, collectBody } from './backend/body.js';
export { assertValidKey, compareKeys, MAX_KEY_BYTES, MAX_SEGMENT_BYTES } from './backend/keys.js';
export {
  commonPrefix,
  DEFAULT_LIST_LIMIT,
  decodeCursor,
  encodeCursor,
  normaliseLimit,
  pageFromSortedObjects,
} from './backend/list-page.js';
export type * from './backend/types.js';
export * from './model/data-type.js';
export type * from './model/entry.js';
export * from './model/errors.js';
