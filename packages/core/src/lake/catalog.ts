import type { Entry, LakeStats } from '@datalake/model';
import { DATA_TYPES, type DataType } from '@datalake/model';
import { FolderTotalsIndex, type FolderTotalsView } from './folder-totals.js';
import { SortedEntries } from './sorted-entries.js';

const BYTES_PER_MB = 1024 * 1024;

interface Folder {
  /** How many entries sit directly in the folder. */
  entryCount: number;
  children: Set<string>;
}

/** What the catalog remembers of one entry: the entry and the etag of its metadata object. */
export interface CatalogItem {
  entry: Entry;
  etag: string;
  /** The metadata object holds an unfinished content update (the entry shown is the last committed one). */
  pending: boolean;
}

/**
 * The in-memory view of every entry, indexed so that `list`, `getStats` and lookups by id or path
 * cost O(result) and never touch the backend. It is a cache of the `.metadata/` objects, which stay
 * the source of truth.
 */
export class Catalog {
  private readonly byId = new Map<string, CatalogItem>();
  private readonly byPath = new Map<string, string>();
  /** Folder path (`<type>` or `<type>/<subpath>`) -> how many entries it holds directly, and its child folders. */
  private readonly folders = new Map<string, Folder>();
  private lastFolder: { path: string; folder: Folder } | undefined;
  private readonly ordered = new SortedEntries();
  /** `itemsInPathOrder` as of the catalog `version` it was built at. */
  private pathOrder: { version: number; items: CatalogItem[] } | undefined;
  private totalBytes = 0;
  /** Bumped by every `set` and `delete`: tells readers such as the search index whether entries changed. */
  private changes = 0;
  private storedBytes = 0;
  private updated = 0;
  private readonly countByType = new Map<DataType, number>(DATA_TYPES.map((type) => [type, 0]));
  /** Made on first use (opening a lake need not pay for it), then kept current. */
  private totals: FolderTotalsIndex | undefined;

  /** Entry counts and sizes per folder, each over its whole subtree. */
  get folderTotals(): FolderTotalsView {
    if (!this.totals) {
      this.totals = new FolderTotalsIndex();
      for (const { entry } of this.byId.values()) this.totals.add(entry);
    }
    return this.totals;
  }

  get size(): number {
    return this.byId.size;
  }

  get(id: string): CatalogItem | undefined {
    return this.byId.get(id);
  }

  idAtPath(filePath: string): string | undefined {
    return this.byPath.get(filePath);
  }

  items(): IterableIterator<CatalogItem> {
    return this.byId.values();
  }

  /**
   * Every item, ordered by the entry's `filePath`. The array is shared until the next change: do not
   * modify it. Kept because time travel walks it whole on every call.
   */
  itemsInPathOrder(): readonly CatalogItem[] {
    if (this.pathOrder?.version === this.changes) return this.pathOrder.items;
    const entries = this.ordered.all();
    const items: CatalogItem[] = [];
    for (let index = 0; index < entries.length; index++) {
      const item = this.byId.get((entries[index] as Entry).id);
      if (item) items.push(item);
    }
    this.pathOrder = { version: this.changes, items };
    return items;
  }

  *entries(): IterableIterator<Entry> {
    for (const item of this.byId.values()) yield item.entry;
  }

  /** Counts changes of the entries (see `changes`). */
  get version(): number {
    return this.changes;
  }

  /** Adds or replaces an entry. */
  set(entry: Entry, etag: string, pending = false): void {
    this.changes++;
    this.delete(entry.id);
    this.byId.set(entry.id, { entry, etag, pending });
    this.byPath.set(entry.filePath, entry.id);
    this.folderFor(folderOf(entry), true).entryCount++;
    this.ordered.add(entry);
    this.totalBytes += entry.size;
    this.storedBytes += entry.stored?.size ?? entry.size;
    if (entry.updatedAt !== null) this.updated++;
    this.countByType.set(entry.dataType, (this.countByType.get(entry.dataType) ?? 0) + 1);
    this.totals?.add(entry);
  }

  delete(id: string): boolean {
    const item = this.byId.get(id);
    if (!item) return false;
    const { entry } = item;
    this.changes++;
    this.byId.delete(id);
    this.ordered.remove(entry);
    if (this.byPath.get(entry.filePath) === id) this.byPath.delete(entry.filePath);
    const folderPath = folderOf(entry);
    const folder = this.folderFor(folderPath, false);
    if (folder) folder.entryCount--;
    this.pruneFolder(folderPath);
    this.totalBytes -= entry.size;
    this.storedBytes -= entry.stored?.size ?? entry.size;
    if (entry.updatedAt !== null) this.updated--;
    this.countByType.set(entry.dataType, (this.countByType.get(entry.dataType) ?? 1) - 1);
    this.totals?.remove(entry);
    return true;
  }

  /**
   * Whether an entry at `filePath` would sit where a folder of other entries is, or inside a path
   * that is an entry: a path is either a file or a folder, never both (a disk cannot hold both).
   */
  nestingConflict(filePath: string): string | undefined {
    if (this.folders.has(filePath)) return `"${filePath}" is a folder of other entries`;
    const segments = filePath.split('/');
    for (let end = 2; end < segments.length; end++) {
      const ancestor = segments.slice(0, end).join('/');
      if (this.byPath.has(ancestor)) return `"${ancestor}" is an entry, so it cannot be a folder`;
    }
    return undefined;
  }

  /**
   * Entries in `folder` (a `<type>` or `<type>/<subpath>` path), ordered by `filePath`; with
   * `recursive`, also those in every folder below it.
   */
  inFolder(folder: string, recursive: boolean): Entry[] {
    return this.ordered.withPrefix(`${folder}/`, !recursive);
  }

  /** Every entry ordered by `filePath` (a shared array: do not modify it). */
  inPathOrder(): readonly Entry[] {
    return this.ordered.all();
  }

  /** Finishes indexing after a bulk load, so the first listing is as fast as later ones. */
  settle(): void {
    this.ordered.settle();
  }

  stats(): LakeStats {
    const entriesByType = Object.fromEntries(
      DATA_TYPES.map((type) => [type, this.countByType.get(type) ?? 0]),
    ) as Record<DataType, number>;
    return {
      totalEntries: this.byId.size,
      entriesByType,
      totalSizeBytes: this.totalBytes,
      totalSizeMb: Math.round((this.totalBytes / BYTES_PER_MB) * 1000) / 1000,
      createdEntries: this.byId.size - this.updated,
      updatedEntries: this.updated,
      storedSizeBytes: this.storedBytes,
      originalSizeBytes: this.totalBytes,
    };
  }

  private folderFor(path: string, create: true): Folder;
  private folderFor(path: string, create: boolean): Folder | undefined;
  private folderFor(path: string, create: boolean): Folder | undefined {
    // Entries often arrive folder by folder (the stores of a tree): skip the lookup then.
    if (this.lastFolder?.path === path) return this.lastFolder.folder;
    let folder = this.folders.get(path);
    if (!folder) {
      if (!create) return undefined;
      folder = { entryCount: 0, children: new Set() };
      this.folders.set(path, folder);
      const slash = path.lastIndexOf('/');
      if (slash > 0) this.folderFor(path.slice(0, slash), true).children.add(path);
    }
    this.lastFolder = { path, folder };
    return folder;
  }

  private pruneFolder(path: string): void {
    let current = path;
    for (;;) {
      const folder = this.folders.get(current);
      if (!folder || folder.entryCount > 0 || folder.children.size > 0) return;
      this.folders.delete(current);
      if (this.lastFolder?.folder === folder) this.lastFolder = undefined;
      const slash = current.lastIndexOf('/');
      if (slash <= 0) return;
      const parent = current.slice(0, slash);
      this.folders.get(parent)?.children.delete(current);
      current = parent;
    }
  }
}

export function folderOf(entry: Pick<Entry, 'dataType' | 'subpath'>): string {
  return entry.subpath ? `${entry.dataType}/${entry.subpath}` : entry.dataType;
}
