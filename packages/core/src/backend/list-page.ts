import type { ListedObject, ListOptions, ListPage } from '@datalake/model';
import { compareKeys, ValidationError } from '@datalake/model';

export const DEFAULT_LIST_LIMIT = 1000;

/** Encodes the last key of a page as an opaque cursor (so cursors never look like keys users could edit). */
export function encodeCursor(lastKey: string): string {
  return Buffer.from(lastKey, 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): string {
  const key = Buffer.from(cursor, 'base64url').toString('utf8');
  if (key.length === 0 || encodeCursor(key) !== cursor) {
    throw new ValidationError(`invalid list cursor ${JSON.stringify(cursor)}`);
  }
  return key;
}

/**
 * Builds one page of a listing from objects already sorted with `compareKeys`, honouring prefix,
 * delimiter, cursor and limit exactly as S3's ListObjectsV2 does. For backends that can enumerate
 * their keys in order (memory, a sorted directory walk).
 */
export function pageFromSortedObjects(
  sorted: readonly ListedObject[],
  prefix: string,
  options: ListOptions = {},
): ListPage {
  const limit = normaliseLimit(options.limit);
  const after = listAfter(options);
  const delimiter = options.delimiter || undefined;
  const objects: ListedObject[] = [];
  const prefixes: string[] = [];
  let index = lowerBound(sorted, after ?? prefix);
  while (index < sorted.length) {
    const object = sorted[index] as ListedObject;
    if (!object.key.startsWith(prefix)) break;
    if (after !== undefined && compareKeys(object.key, after) <= 0) {
      index++;
      continue;
    }
    if (objects.length + prefixes.length >= limit) {
      return { objects, prefixes, cursor: encodeCursor(lastReturned(objects, prefixes)) };
    }
    const group = delimiter ? commonPrefix(object.key, prefix, delimiter) : undefined;
    if (group !== undefined) {
      prefixes.push(group);
      // Skip every key in the group: the next candidate sorts after group + U+10FFFF.
      index = lowerBound(sorted, `${group}\u{10ffff}`, index);
    } else {
      objects.push(object);
      index++;
    }
  }
  return { objects, prefixes };
}

/** The key a page starts after: the cursor's, else `startAfter`, else none. */
export function listAfter(options: ListOptions): string | undefined {
  if (options.cursor !== undefined) return decodeCursor(options.cursor);
  return options.startAfter === undefined || options.startAfter === '' ? undefined : options.startAfter;
}

/**
 * Largest page a caller may ask for. Backends may return smaller pages (S3 stops at 1,000); local
 * backends serve big pages so that a full listing does not re-read a large folder once per 1,000 keys.
 */
export const MAX_LIST_LIMIT = 100_000;

/** The page size to use: `DEFAULT_LIST_LIMIT` when unspecified, at most `max`. */
export function normaliseLimit(limit: number | undefined, max = MAX_LIST_LIMIT): number {
  if (limit === undefined) return Math.min(DEFAULT_LIST_LIMIT, max);
  if (!Number.isInteger(limit) || limit < 1) {
    throw new ValidationError(`list limit must be a positive integer, got ${limit}`);
  }
  return Math.min(limit, max);
}

/** `prefix + segment + delimiter` when the key continues past the prefix with a delimiter. */
export function commonPrefix(key: string, prefix: string, delimiter: string): string | undefined {
  const at = key.indexOf(delimiter, prefix.length);
  return at === -1 ? undefined : key.slice(0, at + delimiter.length);
}

function lastReturned(objects: ListedObject[], prefixes: string[]): string {
  const lastObject = objects.at(-1)?.key;
  const lastPrefix = prefixes.at(-1);
  if (lastPrefix === undefined) return lastObject as string;
  // A group's cursor must skip the whole group.
  const groupEnd = `${lastPrefix}\u{10ffff}`;
  if (lastObject === undefined) return groupEnd;
  return compareKeys(lastObject, groupEnd) > 0 ? lastObject : groupEnd;
}

function lowerBound(sorted: readonly ListedObject[], key: string, from = 0): number {
  let low = from;
  let high = sorted.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (compareKeys((sorted[middle] as ListedObject).key, key) < 0) low = middle + 1;
    else high = middle;
  }
  return low;
}
