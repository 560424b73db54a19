export { BytesBody, bodyChunks, collectBody, concatBytes } from './body.js';
export { COMPRESSION_CODECS, type CompressionCodec } from './compression-codec.js';
export * from './data-type.js';
export type * from './entry.js';
export { entryFields } from './entry-fields.js';
export * from './errors.js';
export { compareByPath, compareKeys } from './key-order.js';
export {
  assertValidKey,
  assertValidPrefix,
  MAX_KEY_BYTES,
  MAX_SEGMENT_BYTES,
  pathProblem,
} from './keys.js';
export * from './layout.js';
export {
  assertEtagHolds,
  assertModeHolds,
  checkedPutMode,
  type HttpCondition,
  httpCondition,
  PutMode,
} from './put-mode.js';
export { sameJson } from './same-json.js';
export type * from './types.js';
