import type { JsonValue, Metadata } from '@datalake/model';
import { ValidationError } from '@datalake/model';

/** Largest accepted metadata object, serialised. Metadata is for describing artifacts, not holding them. */
export const MAX_METADATA_BYTES = 256 * 1024;

/** Checks that `value` is a plain JSON object and returns a frozen deep copy of it. */
export function normaliseMetadata(value: unknown): Metadata {
  if (value === undefined) return Object.freeze({});
  if (!isPlainObject(value)) throw new ValidationError('metadata must be a plain JSON object');
  const copy = copyJson(value, 'metadata') as Metadata;
  if (Buffer.byteLength(JSON.stringify(copy)) > MAX_METADATA_BYTES) {
    throw new ValidationError(`metadata is larger than ${MAX_METADATA_BYTES} bytes once serialised`);
  }
  return copy;
}

/** Top-level merge: keys of `patch` replace those of `base`. */
export function mergeMetadata(base: Metadata, patch: Metadata): Metadata {
  return Object.freeze({ ...base, ...patch });
}

/** Deep-freezes metadata read back from storage so the catalog can hand it out without copying. */
export function freezeJson<T extends JsonValue>(value: T): T {
  if (value !== null && typeof value === 'object') {
    // for...in, not Object.values: opening a lake freezes every record, and the arrays add up.
    for (const key in value) {
      const child = (value as Record<string, JsonValue>)[key] as JsonValue;
      if (child !== null && typeof child === 'object') freezeJson(child);
    }
    Object.freeze(value);
  }
  return value;
}

function copyJson(value: unknown, path: string): JsonValue {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new ValidationError(`${path} is not a finite number`);
    // JSON has no negative zero: keep what a reread record will hold, so every view agrees.
    return value === 0 ? 0 : value;
  }
  if (Array.isArray(value))
    return Object.freeze(value.map((item, index) => copyJson(item, `${path}[${index}]`))) as JsonValue;
  if (isPlainObject(value)) {
    const out: Record<string, JsonValue> = {};
    for (const [key, child] of Object.entries(value)) {
      // defineProperty, not assignment: a "__proto__" key must stay an ordinary key.
      Object.defineProperty(out, key, {
        value: copyJson(child, `${path}.${key}`),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return Object.freeze(out);
  }
  throw new ValidationError(`${path} is not JSON (${typeof value})`);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false;
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}
