import { type Entry, MAX_LIST_LIMIT, type StorageBackend } from '@datalake/core';

/** Objects per listing request on S3 (it returns at most this many, whatever is asked). */
const OBJECTS_PER_REQUEST = 1000;

/**
 * Whether an entry's content object is in the lake with the entry's size: content deleted or cut
 * short by hand is caught (content of the right size but other bytes is not: that takes a hash).
 *
 * A re-run checks every unchanged file, and a `head` per file would make it several times slower on
 * S3, so the checks are batched: a file is answered from one listing of the highest folder above it
 * whose listing takes no more requests (at 1,000 objects each) than the run has files to check below
 * it; a file with no such folder (its folders hold mostly other trees' entries) gets a `head` of its
 * own. Each folder is listed once per run.
 *
 * `known`: the lake's entries; `filesPerFolder`: for each lake folder below the type folders (''
 * for the top), how many files of the run land directly in it.
 */
export function contentCheck(
  backend: StorageBackend,
  known: readonly Entry[],
  filesPerFolder: ReadonlyMap<string, number>,
): (entry: Entry) => Promise<boolean> {
  const entriesBelow = new Map<string, number>();
  for (const entry of known) {
    for (const folder of ancestors(folderOf(entry.filePath))) increment(entriesBelow, folder, 1);
  }
  const filesBelow = new Map<string, number>();
  for (const [folder, count] of filesPerFolder) {
    increment(filesBelow, '', count);
    if (folder !== '') for (const ancestor of ancestors(folder)) increment(filesBelow, ancestor, count);
  }
  const scopes = new Map<string, string | undefined>();
  const listings = new Map<string, Promise<Map<string, number>>>();

  /** The folder to list for a check in `folder` (a content folder: `<type>` or `<type>/<path>`). */
  const scopeOf = (folder: string): string | undefined => {
    if (scopes.has(folder)) return scopes.get(folder);
    let scope: string | undefined;
    for (const candidate of ancestors(folder)) {
      const slash = candidate.indexOf('/');
      const belowType = slash === -1 ? '' : candidate.slice(slash + 1);
      const requests = Math.ceil((entriesBelow.get(candidate) ?? 0) / OBJECTS_PER_REQUEST);
      if (requests <= (filesBelow.get(belowType) ?? 0)) {
        scope = candidate;
        break;
      }
    }
    scopes.set(folder, scope);
    return scope;
  };

  return async (entry) => {
    const scope = scopeOf(folderOf(entry.filePath));
    if (scope === undefined) {
      const object = await backend.head(entry.filePath);
      return object !== null && object.size === entry.size;
    }
    let listing = listings.get(scope);
    if (!listing) {
      listing = sizesBelow(backend, scope);
      listings.set(scope, listing);
    }
    return (await listing).get(entry.filePath) === entry.size;
  };
}

/** The folder part of a '/'-separated path: `schema/db` of `schema/db/a.sql`, '' of `a.sql`. */
export function folderOf(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash === -1 ? '' : path.slice(0, slash);
}

/** `a`, `a/b`, `a/b/c` for `a/b/c`: the folder and those above it, top first. */
function ancestors(folder: string): string[] {
  const result: string[] = [];
  for (let slash = folder.indexOf('/'); slash !== -1; slash = folder.indexOf('/', slash + 1)) {
    result.push(folder.slice(0, slash));
  }
  result.push(folder);
  return result;
}

function increment(counts: Map<string, number>, key: string, by: number): void {
  counts.set(key, (counts.get(key) ?? 0) + by);
}

/** Key → size of every object below `folder`. */
async function sizesBelow(backend: StorageBackend, folder: string): Promise<Map<string, number>> {
  const sizes = new Map<string, number>();
  let cursor: string | undefined;
  do {
    const page = await backend.list(`${folder}/`, { cursor, limit: MAX_LIST_LIMIT });
    for (const object of page.objects) sizes.set(object.key, object.size);
    cursor = page.cursor;
  } while (cursor !== undefined);
  return sizes;
}
