import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import {
  type AdapterListOptions,
  type AdapterListPage,
  assertValidKey,
  compareKeys,
  type ListedObject,
  type ListOptions,
  type ListPage,
  pageFromSortedObjects,
} from '@datalake/core';
import { type FolderGuard, LinkInTheWay } from './containment.js';
import { type DiskDirent, type DiskFs, type DiskStats, type DiskSyncFs, isMissing } from './disk-fs.js';
import { objectStat } from './etag.js';
import { type DiskLayout, INTERNAL_FOLDER } from './layout.js';
import { mapWithConcurrency } from './pool.js';

const PARALLEL_FS_CALLS = 32;
const SYNC_STATS_PER_TURN = 2_000;
const EPOCH = new Date(0);
const decoder = new TextDecoder();
// Printable ASCII without a backslash, not starting or ending with a space: valid without further checks.
const PLAIN_ASCII_NAME = /^[\x21-\x5b\x5d-\x7e](?:[\x20-\x5b\x5d-\x7e]*[\x21-\x5b\x5d-\x7e])?$/;

interface FolderEntry {
  key: string;
  isFolder: boolean;
}

/**
 * One page of `list`. The tree below the prefix is read fresh on every call (no cache, so never
 * stale), sorted in key order, paged with the shared S3 paging rules, and only the objects on
 * the returned page are stat'ed. With the '/' delimiter only one folder level is read. Symbolic
 * links are neither listed nor entered: a prefix that runs through one lists nothing.
 */
export async function listFromDisk(
  fs: DiskFs,
  layout: DiskLayout,
  guard: FolderGuard,
  prefix: string,
  request: AdapterListOptions,
  syncStats: boolean,
): Promise<AdapterListPage> {
  const { after, delimiter } = request;
  // The shared S3 paging rules, positioned after the last key the front handed on.
  const options: ListOptions = { limit: request.limit, startAfter: after, delimiter };
  const slash = prefix.lastIndexOf('/');
  const folderKey = slash === -1 ? '' : prefix.slice(0, slash);
  const namePrefix = prefix.slice(slash + 1);
  const top = (await reachable(guard, folderKey)) ? await readFolder(fs, layout, folderKey, namePrefix) : [];

  const page =
    delimiter === '/'
      ? await pageOneLevel(fs, layout, top, prefix, options)
      : pageFromSortedObjects(
          toPlaceholders(sortKeys(await collectKeys(fs, layout, top, after))),
          prefix,
          options,
        );
  const objects = await statObjects(fs, layout, page.objects, syncStats);
  return { objects, prefixes: page.prefixes, more: page.cursor !== undefined };
}

/** Whether the folder exists and is reached without passing a symbolic link. */
async function reachable(guard: FolderGuard, folderKey: string): Promise<boolean> {
  try {
    return (await guard.check(folderKey)) === 'present';
  } catch (error) {
    if (error instanceof LinkInTheWay) return false;
    throw error;
  }
}

/** Entries of one folder whose names start with `namePrefix`, as keys; the internal folder is left out. */
async function readFolder(
  fs: DiskFs,
  layout: DiskLayout,
  folderKey: string,
  namePrefix = '',
): Promise<FolderEntry[]> {
  let dirents: ReadonlyArray<DiskDirent | string | Uint8Array>;
  try {
    dirents = await fs.readdir(layout.folderPath(folderKey), { withFileTypes: true });
  } catch (error) {
    if (isMissing(error)) return [];
    throw error;
  }
  const entries: FolderEntry[] = [];
  for (const dirent of dirents) {
    if (typeof dirent === 'string' || dirent instanceof Uint8Array) continue;
    const name = typeof dirent.name === 'string' ? dirent.name : decoder.decode(dirent.name);
    if (!name.startsWith(namePrefix)) continue;
    if (folderKey === '' && name === INTERNAL_FOLDER) continue;
    const isFolder = dirent.isDirectory();
    // Symbolic links, sockets and the like are not objects.
    if (!isFolder && !dirent.isFile()) continue;
    const key = folderKey === '' ? name : `${folderKey}/${name}`;
    if (isUsableKey(name, key)) entries.push({ key, isFolder });
  }
  return entries;
}

/** Files whose names could never be keys (made by hand, not through the backend) are skipped. */
function isUsableKey(name: string, key: string): boolean {
  if (
    PLAIN_ASCII_NAME.test(name) &&
    name !== '.' &&
    name !== '..' &&
    name.length <= 255 &&
    key.length <= 341
  ) {
    return true;
  }
  try {
    assertValidKey(key);
    return true;
  } catch {
    return false;
  }
}

/** Every object key below the given entries; subtrees that lie wholly at or before `after` are skipped. */
async function collectKeys(
  fs: DiskFs,
  layout: DiskLayout,
  entries: FolderEntry[],
  after: string | undefined,
): Promise<string[]> {
  const keys: string[] = [];
  let folders: string[] = [];
  const take = (list: FolderEntry[]) => {
    for (const entry of list) {
      if (!entry.isFolder) keys.push(entry.key);
      else if (after === undefined || compareKeys(`${entry.key}/\u{10ffff}`, after) > 0)
        folders.push(entry.key);
    }
  };
  take(entries);
  while (folders.length > 0) {
    const level = folders;
    folders = [];
    const children = await mapWithConcurrency(level, PARALLEL_FS_CALLS, (folder) =>
      readFolder(fs, layout, folder),
    );
    for (const list of children) take(list);
  }
  return keys;
}

/** One folder level, folders shown as common prefixes (only those that hold at least one object). */
async function pageOneLevel(
  fs: DiskFs,
  layout: DiskLayout,
  entries: FolderEntry[],
  prefix: string,
  options: ListOptions,
): Promise<ListPage> {
  const candidates = sortKeys(entries.map((entry) => (entry.isFolder ? `${entry.key}/` : entry.key)));
  const confirmed = new Set<string>();
  for (;;) {
    const page = pageFromSortedObjects(toPlaceholders(candidates), prefix, options);
    const unchecked = page.prefixes.filter((group) => !confirmed.has(group));
    if (unchecked.length === 0) return page;
    const nonEmpty = await mapWithConcurrency(unchecked, PARALLEL_FS_CALLS, (group) =>
      holdsAnObject(fs, layout, group.slice(0, -1)),
    );
    const empty = new Set(unchecked.filter((_, index) => !nonEmpty[index]));
    for (const group of unchecked) if (!empty.has(group)) confirmed.add(group);
    if (empty.size > 0) {
      const remaining = candidates.filter((key) => !empty.has(key));
      candidates.length = 0;
      candidates.push(...remaining);
    }
  }
}

/** Whether a folder (left empty by a crash, or made by hand) has any object below it. */
async function holdsAnObject(fs: DiskFs, layout: DiskLayout, folderKey: string): Promise<boolean> {
  const entries = await readFolder(fs, layout, folderKey);
  if (entries.some((entry) => !entry.isFolder)) return true;
  for (const entry of entries) {
    if (await holdsAnObject(fs, layout, entry.key)) return true;
  }
  return false;
}

async function statObjects(
  fs: DiskFs,
  layout: DiskLayout,
  placeholders: ListedObject[],
  syncStats: boolean,
): Promise<ListedObject[]> {
  const sync = fs.sync;
  if (sync && syncStats) return statObjectsSync(sync, layout, placeholders);
  const stats = await mapWithConcurrency(placeholders, PARALLEL_FS_CALLS, async ({ key }) => {
    try {
      return listedObject(key, await fs.lstat(layout.objectPath(key)));
    } catch (error) {
      return missingOrThrow(error);
    }
  });
  return stats.filter((object): object is ListedObject => object !== undefined);
}

/**
 * A stat takes a few microseconds; through the thread pool each costs ten times more, which
 * dominates listing 100,000 objects. Stat'ing synchronously, the event loop gets a turn after
 * every batch.
 */
async function statObjectsSync(
  sync: DiskSyncFs,
  layout: DiskLayout,
  placeholders: ListedObject[],
): Promise<ListedObject[]> {
  const objects: ListedObject[] = [];
  for (let index = 0; index < placeholders.length; index++) {
    if (index > 0 && index % SYNC_STATS_PER_TURN === 0) await yieldToEventLoop();
    const key = (placeholders[index] as ListedObject).key;
    let object: ListedObject | undefined;
    try {
      object = listedObject(key, sync.lstatSync(layout.objectPath(key)));
    } catch (error) {
      object = missingOrThrow(error);
    }
    if (object) objects.push(object);
  }
  return objects;
}

function listedObject(key: string, stats: DiskStats): ListedObject | undefined {
  return stats.isFile() ? { key, ...objectStat(stats) } : undefined;
}

/** A file deleted since its folder was read is simply not on the page. */
function missingOrThrow(error: unknown): undefined {
  if (isMissing(error)) return undefined;
  throw error;
}

function toPlaceholders(keys: string[]): ListedObject[] {
  return keys.map((key) => ({ key, size: 0, etag: '', lastModified: EPOCH }));
}

/** Sorts in `compareKeys` order; plain string order is identical (and much faster) without surrogates. */
function sortKeys(keys: string[]): string[] {
  const hasSurrogates = keys.some((key) => /[\u{10000}-\u{10ffff}]/u.test(key));
  return hasSurrogates ? keys.sort(compareKeys) : keys.sort();
}
