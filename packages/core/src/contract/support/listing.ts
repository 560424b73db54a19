import type { ListedObject, ListOptions, StorageBackend } from '@datalake/model';
import { compareKeys } from '@datalake/model';

export interface FullListing {
  objects: ListedObject[];
  prefixes: string[];
  /** Number of pages it took. */
  pages: number;
}

/**
 * Follows a listing to its end, checking as it goes that every page respects `limit`, that
 * every item sorts after the previous page's items, and that cursors never repeat. Stops with
 * an error after `maxPages`, so a backend that ignores the cursor fails instead of looping.
 */
export async function listAll(
  backend: StorageBackend,
  prefix: string,
  options: Omit<ListOptions, 'cursor'> = {},
  maxPages = 100,
): Promise<FullListing> {
  const objects: ListedObject[] = [];
  const prefixes: string[] = [];
  const seenCursors = new Set<string>();
  let cursor: string | undefined;
  let previousLast: string | undefined;
  for (let page = 1; page <= maxPages; page++) {
    const result = await backend.list(prefix, cursor === undefined ? options : { ...options, cursor });
    const items = [...result.objects.map((object) => object.key), ...result.prefixes].sort(compareKeys);
    if (options.limit !== undefined && items.length > options.limit) {
      throw new Error(`list page ${page} has ${items.length} items, more than the limit ${options.limit}`);
    }
    const first = items[0];
    if (previousLast !== undefined && first !== undefined && compareKeys(first, previousLast) <= 0) {
      throw new Error(
        `list page ${page} starts at ${JSON.stringify(first)}, not after the previous page's last item ${JSON.stringify(previousLast)}`,
      );
    }
    previousLast = items.at(-1) ?? previousLast;
    objects.push(...result.objects);
    prefixes.push(...result.prefixes);
    if (result.cursor === undefined) return { objects, prefixes, pages: page };
    if (seenCursors.has(result.cursor)) {
      throw new Error(`list returned the cursor ${JSON.stringify(result.cursor)} twice`);
    }
    seenCursors.add(result.cursor);
    cursor = result.cursor;
  }
  throw new Error(`listing ${JSON.stringify(prefix)} did not end within ${maxPages} pages`);
}

/** All keys under `prefix`, in the order listed. */
export async function listKeys(backend: StorageBackend, prefix = ''): Promise<string[]> {
  const { objects } = await listAll(backend, prefix, {}, 1000);
  return objects.map((object) => object.key);
}

/** Asserts that `keys` is strictly ascending in `compareKeys` order (so also free of duplicates). */
export function assertStrictlyAscending(keys: readonly string[], what: string): void {
  for (let index = 1; index < keys.length; index++) {
    const previous = keys[index - 1] as string;
    const current = keys[index] as string;
    if (compareKeys(previous, current) >= 0) {
      throw new Error(
        `${what}: ${JSON.stringify(previous)} is listed before ${JSON.stringify(current)} (expected strictly ascending UTF-8 byte order)`,
      );
    }
  }
}

export function sortedKeys(keys: Iterable<string>): string[] {
  return [...keys].sort(compareKeys);
}
