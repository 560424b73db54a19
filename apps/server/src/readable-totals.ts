import { DATA_TYPES, type DataLake, type DataType, type FolderTotals, type LakeStats } from '@datalake/core';
import { type Access, isWithin } from './auth/grants.js';

const BYTES_PER_MB = 1024 * 1024;

/** A folder of one type (`subpath` `''`: the whole type) whose every entry the caller may read. */
export interface ReadableRoot {
  dataType: DataType;
  subpath: string;
}

export interface ChildFolder {
  name: string;
  subpath: string;
  /** Entries the caller can read in the folder and below it. */
  entries: number;
}

/**
 * The caller's read scopes as folders that do not overlap (none holds another), so the entries it
 * may read are exactly the union of their subtrees and their totals add up without counting twice.
 */
export function readableRoots(access: Access): ReadableRoot[] {
  const roots = access.readScopes.flatMap((scope) =>
    (scope.dataType ? [scope.dataType] : DATA_TYPES).map((dataType) => ({
      dataType,
      subpath: scope.pathPrefix ?? '',
    })),
  );
  return roots.filter(
    (root, index) =>
      !roots.some(
        (other, otherIndex) =>
          otherIndex !== index &&
          other.dataType === root.dataType &&
          holds(other.subpath, root.subpath) &&
          (other.subpath !== root.subpath || otherIndex < index),
      ),
  );
}

/**
 * Stats of the entries the caller may read, from the folder totals the lake keeps: the cost grows
 * with the number of grants, not with the lake.
 */
export async function readableStats(lake: DataLake, access: Access): Promise<LakeStats> {
  if (access.readsEverything) return lake.getStats();
  const entriesByType = Object.fromEntries(DATA_TYPES.map((type) => [type, 0])) as Record<DataType, number>;
  const sum = { entries: 0, sizeBytes: 0, storedBytes: 0, updated: 0 };
  for (const root of readableRoots(access)) {
    const totals: FolderTotals | undefined = lake.folderTotals(folderPath(root.dataType, root.subpath));
    if (!totals) continue;
    entriesByType[root.dataType] += totals.entries;
    sum.entries += totals.entries;
    sum.sizeBytes += totals.sizeBytes;
    sum.storedBytes += totals.storedBytes;
    sum.updated += totals.updated;
  }
  return {
    totalEntries: sum.entries,
    entriesByType,
    totalSizeBytes: sum.sizeBytes,
    totalSizeMb: Math.round((sum.sizeBytes / BYTES_PER_MB) * 1000) / 1000,
    createdEntries: sum.entries - sum.updated,
    updatedEntries: sum.updated,
    storedSizeBytes: sum.storedBytes,
    originalSizeBytes: sum.sizeBytes,
  };
}

/**
 * The child folders of `subpath` (in one type, or merged by name over every type) that hold entries
 * the caller may read, with how many: from the folder totals, without listing any entry.
 */
export function readableChildFolders(
  lake: DataLake,
  access: Access,
  dataType: DataType | undefined,
  subpath: string,
): ChildFolder[] {
  const roots = access.readsEverything ? undefined : readableRoots(access);
  const counts = new Map<string, number>();
  const add = (name: string, totals: FolderTotals | undefined) => {
    if (totals && totals.entries > 0) counts.set(name, (counts.get(name) ?? 0) + totals.entries);
  };
  for (const type of dataType ? [dataType] : DATA_TYPES) {
    const folder = folderPath(type, subpath);
    const wholeFolder =
      roots === undefined || roots.some((root) => root.dataType === type && holds(root.subpath, subpath));
    if (wholeFolder) {
      for (const name of lake.folderTotals(folder)?.children ?? [])
        add(name, lake.folderTotals(`${folder}/${name}`));
      continue;
    }
    // Only the roots strictly below the folder are readable in it; each lies in one child.
    for (const root of roots) {
      if (root.dataType !== type || root.subpath === subpath || !holds(subpath, root.subpath)) continue;
      const rest = subpath === '' ? root.subpath : root.subpath.slice(subpath.length + 1);
      add(rest.split('/')[0] as string, lake.folderTotals(folderPath(type, root.subpath)));
    }
  }
  return [...counts]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, entries]) => ({ name, subpath: subpath === '' ? name : `${subpath}/${name}`, entries }));
}

/** Whether folder `outer` (`''`: the type folder) is `inner` or holds it. */
function holds(outer: string, inner: string): boolean {
  return outer === '' || isWithin(inner, outer);
}

function folderPath(dataType: DataType, subpath: string): string {
  return subpath === '' ? dataType : `${dataType}/${subpath}`;
}
