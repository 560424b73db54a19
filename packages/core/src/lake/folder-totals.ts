import type { Entry } from '@datalake/model';

/** Counts and sizes of the entries in a folder and every folder below it. */
export interface FolderTotals {
  readonly entries: number;
  /** Content bytes as stored by the callers (before compression). */
  readonly sizeBytes: number;
  /** Bytes the contents take in storage (compressed where they are). */
  readonly storedBytes: number;
  /** Entries changed since they were created (`updatedAt` set). */
  readonly updated: number;
}

/** A folder's totals and the names of its child folders. */
export interface FolderNode extends FolderTotals {
  readonly children: ReadonlySet<string>;
}

/** What callers may ask of the folder totals; they stay current with every change of the catalog. */
export interface FolderTotalsView {
  /** Totals of `folder` (a `<type>` or `<type>/<subpath>` path) and everything below it; `undefined` when it holds no entry. */
  get(folder: string): FolderNode | undefined;
}

interface MutableNode {
  entries: number;
  sizeBytes: number;
  storedBytes: number;
  updated: number;
  children: Set<string>;
}

/**
 * Running totals per folder, each counting its whole subtree, so a folder's counts and its child
 * folders cost O(children) whatever the lake's size. A change costs O(depth of the entry's folder).
 */
export class FolderTotalsIndex implements FolderTotalsView {
  private readonly nodes = new Map<string, MutableNode>();

  get(folder: string): FolderNode | undefined {
    return this.nodes.get(folder);
  }

  add(entry: Entry): void {
    this.change(entry, 1);
  }

  remove(entry: Entry): void {
    this.change(entry, -1);
  }

  private change(entry: Entry, sign: 1 | -1): void {
    const stored = entry.stored?.size ?? entry.size;
    const updated = entry.updatedAt !== null ? 1 : 0;
    let path = entry.dataType as string;
    const segments = entry.subpath === '' ? [] : entry.subpath.split('/');
    for (let depth = 0; ; depth++) {
      let node = this.nodes.get(path);
      if (!node) {
        node = { entries: 0, sizeBytes: 0, storedBytes: 0, updated: 0, children: new Set() };
        this.nodes.set(path, node);
      }
      node.entries += sign;
      node.sizeBytes += sign * entry.size;
      node.storedBytes += sign * stored;
      node.updated += sign * updated;
      const child = segments[depth];
      if (child === undefined) break;
      node.children.add(child);
      const childPath = `${path}/${child}`;
      if (sign < 0 && this.nodes.get(childPath)?.entries === 1) {
        // The last entry below that child is leaving: drop the child (its own subtree is emptied below).
        node.children.delete(child);
      }
      path = childPath;
    }
    if (sign < 0) this.prune(entry);
  }

  /** Forgets the folders on the entry's path that no longer hold any entry. */
  private prune(entry: Entry): void {
    let path = entry.subpath === '' ? entry.dataType : `${entry.dataType}/${entry.subpath}`;
    for (;;) {
      const node = this.nodes.get(path);
      if (node && node.entries > 0) return;
      this.nodes.delete(path);
      const slash = path.lastIndexOf('/');
      if (slash <= 0) return;
      path = path.slice(0, slash);
    }
  }
}
