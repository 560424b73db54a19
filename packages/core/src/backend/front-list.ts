import type {
  AdapterListOptions,
  AdapterListPage,
  ListedObject,
  ListOptions,
  ListPage,
  StorageAdapter,
} from '@datalake/model';
import { assertValidPrefix, compareKeys, ValidationError } from '@datalake/model';
import { contractBreach } from './front-errors.js';
import { commonPrefix, decodeCursor, encodeCursor, normaliseLimit } from './list-page.js';

/** Sorts after every key that starts with the group it follows. */
const GROUP_END = '\u{10ffff}';

/** The checked, normalised form of a caller's list options. */
interface ListRequest {
  prefix: string;
  limit: number;
  delimiter: string | undefined;
  cursor: string | undefined;
  startAfter: string | undefined;
  after: string | undefined;
}

/**
 * `list` through the front: validates and normalises the caller's options, groups by the delimiter
 * for adapters that do not, makes and reads the cursors of adapters that do not issue their own, and
 * refuses a page that breaks the contract (out of order, outside the prefix, before the cursor).
 */
export async function frontList(
  adapter: StorageAdapter,
  prefix: string,
  options: ListOptions | undefined,
): Promise<ListPage> {
  const request = listRequest(adapter, prefix, options);
  const { capabilities } = adapter;
  if (capabilities.ownCursors) {
    const page = await adapterPage(adapter, request, request.after);
    if (page.cursor !== undefined && (typeof page.cursor !== 'string' || page.cursor === '')) {
      throw contractBreach(
        adapter.description,
        'list',
        prefix,
        `cursor ${JSON.stringify(page.cursor)} is not a non-empty string`,
      );
    }
    return withCursor(page.objects, page.prefixes ?? [], page.cursor);
  }
  if (request.delimiter !== undefined && !capabilities.delimiterListing) return groupedPage(adapter, request);
  const page = await adapterPage(adapter, request, request.after);
  const prefixes = page.prefixes ?? [];
  if (!page.more && page.cursor === undefined) return withCursor(page.objects, prefixes, undefined);
  if (page.objects.length + prefixes.length === 0) {
    throw contractBreach(
      adapter.description,
      'list',
      prefix,
      'it announced more keys but returned an empty page',
    );
  }
  return withCursor(page.objects, prefixes, encodeCursor(lastPosition(page.objects, prefixes)));
}

function listRequest(adapter: StorageAdapter, prefix: string, options: ListOptions | undefined): ListRequest {
  assertValidPrefix(prefix);
  if (options !== undefined && (options === null || typeof options !== 'object')) {
    throw new ValidationError('list options must be an object');
  }
  const limit = normaliseLimit(options?.limit);
  const delimiter =
    options?.delimiter === undefined || options.delimiter === '' ? undefined : options.delimiter;
  if (delimiter !== undefined && typeof delimiter !== 'string') {
    throw new ValidationError(`list delimiter must be a string, got ${typeof delimiter}`);
  }
  const cursor = options?.cursor;
  if (cursor !== undefined && (typeof cursor !== 'string' || cursor === '')) {
    throw new ValidationError(`invalid list cursor ${JSON.stringify(cursor)}`);
  }
  const given = options?.startAfter;
  if (given !== undefined && typeof given !== 'string') {
    throw new ValidationError(`list startAfter must be a string, got ${typeof given}`);
  }
  // A cursor carries its own position; startAfter only places the first page.
  const startAfter = cursor === undefined && given !== '' ? given : undefined;
  const after = adapter.capabilities.ownCursors
    ? undefined
    : cursor === undefined
      ? startAfter
      : decodeCursor(cursor);
  return { prefix, limit, delimiter, cursor, startAfter, after };
}

/** One call of the adapter's `list`, its answer checked against the request. */
async function adapterPage(
  adapter: StorageAdapter,
  request: ListRequest,
  after: string | undefined,
  limit = request.limit,
  grouped = request.delimiter !== undefined && (adapter.capabilities.delimiterListing ?? false),
): Promise<AdapterListPage> {
  const options: AdapterListOptions = { limit };
  if (adapter.capabilities.ownCursors) {
    if (request.cursor !== undefined) options.cursor = request.cursor;
    else if (request.startAfter !== undefined) options.startAfter = request.startAfter;
  } else if (after !== undefined) {
    options.after = after;
    options.cursor = encodeCursor(after);
  }
  if (grouped) options.delimiter = request.delimiter as string;
  const page = await adapter.list(request.prefix, options);
  const problem = pageProblem(page, request.prefix, after, limit, grouped ? request.delimiter : undefined);
  if (problem) throw contractBreach(adapter.description, 'list', request.prefix, problem);
  return page;
}

/** Groups keys by the delimiter for an adapter that lists flat: after each group, it asks from the group's end. */
async function groupedPage(adapter: StorageAdapter, request: ListRequest): Promise<ListPage> {
  const delimiter = request.delimiter as string;
  const objects: ListedObject[] = [];
  const prefixes: string[] = [];
  let position = request.after;
  for (;;) {
    const room = request.limit - objects.length - prefixes.length;
    if (room === 0) return withCursor(objects, prefixes, encodeCursor(position as string));
    const page = await adapterPage(adapter, request, position, room, false);
    let group: string | undefined;
    for (const object of page.objects) {
      if (group !== undefined && object.key.startsWith(group)) continue;
      if (objects.length + prefixes.length === request.limit) {
        return withCursor(objects, prefixes, encodeCursor(position as string));
      }
      group = commonPrefix(object.key, request.prefix, delimiter);
      if (group === undefined) {
        objects.push(object);
        position = object.key;
      } else {
        prefixes.push(group);
        position = `${group}${GROUP_END}`;
      }
    }
    if (!page.more) return withCursor(objects, prefixes, undefined);
    if (page.objects.length === 0) {
      throw contractBreach(
        adapter.description,
        'list',
        request.prefix,
        'it announced more keys but returned an empty page',
      );
    }
  }
}

function pageProblem(
  page: AdapterListPage,
  prefix: string,
  after: string | undefined,
  limit: number,
  delimiter: string | undefined,
): string | undefined {
  if (!page || !Array.isArray(page.objects)) return 'the page has no objects array';
  const prefixes = page.prefixes ?? [];
  if (page.objects.length + prefixes.length > limit) {
    return `it returned ${page.objects.length + prefixes.length} entries for a limit of ${limit}`;
  }
  let previous: string | undefined;
  for (const object of page.objects) {
    const key = object?.key;
    if (typeof key !== 'string' || !key.startsWith(prefix))
      return `key ${JSON.stringify(key)} does not start with the prefix`;
    if (after !== undefined && compareKeys(key, after) <= 0)
      return `key ${JSON.stringify(key)} is not after the cursor position ${JSON.stringify(after)}`;
    if (previous !== undefined && compareKeys(previous, key) >= 0) {
      return `keys are not in ascending UTF-8 byte order: ${JSON.stringify(previous)} came before ${JSON.stringify(key)}`;
    }
    previous = key;
  }
  if (prefixes.length > 0 && delimiter === undefined)
    return 'it returned common prefixes although no delimiter was given';
  let previousGroup: string | undefined;
  for (const group of prefixes) {
    if (typeof group !== 'string' || !group.startsWith(prefix) || !group.endsWith(delimiter as string)) {
      return `common prefix ${JSON.stringify(group)} does not start with the prefix and end with the delimiter`;
    }
    if (previousGroup !== undefined && compareKeys(previousGroup, group) >= 0) {
      return `common prefixes are not in ascending order: ${JSON.stringify(previousGroup)} came before ${JSON.stringify(group)}`;
    }
    previousGroup = group;
  }
  return undefined;
}

/** The position right after the last object or group a page holds. */
function lastPosition(objects: readonly ListedObject[], prefixes: readonly string[]): string {
  const lastObject = objects.at(-1)?.key;
  const lastGroup = prefixes.at(-1);
  if (lastGroup === undefined) return lastObject as string;
  const groupEnd = `${lastGroup}${GROUP_END}`;
  if (lastObject === undefined) return groupEnd;
  return compareKeys(lastObject, groupEnd) > 0 ? lastObject : groupEnd;
}

function withCursor(objects: ListedObject[], prefixes: string[], cursor: string | undefined): ListPage {
  return cursor === undefined ? { objects, prefixes } : { objects, prefixes, cursor };
}
