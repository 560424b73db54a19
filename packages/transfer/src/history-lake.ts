import type { EntryVersion, Lake, LakeHistoryTransfer } from '@datalake/core';

/**
 * The history side of a lake (`lake.transfer` of a `DataLake`), or undefined for a lake that
 * cannot give or take whole histories (a remote lake behind `datalake serve`): such a lake is
 * backed up, restored and copied at its entries' current versions.
 */
export function historyOf(lake: Lake): LakeHistoryTransfer | undefined {
  const transfer = (lake as { transfer?: Partial<LakeHistoryTransfer> }).transfer;
  if (
    transfer &&
    typeof transfer.entryWithHistory === 'function' &&
    typeof transfer.importEntry === 'function' &&
    typeof transfer.importContent === 'function'
  )
    return transfer as LakeHistoryTransfer;
  return undefined;
}

/** The contents a history needs besides a live entry's current content (kept by the lake as history). */
export function keptShas(versions: readonly EntryVersion[], current: string | undefined): Set<string> {
  const out = new Set(versions.map((version) => version.sha256));
  if (current !== undefined) out.delete(current);
  return out;
}

/** Whether two version lists are the same (compared as the JSON they are). */
export function sameVersions(a: readonly EntryVersion[], b: readonly EntryVersion[]): boolean {
  return a.length === b.length && JSON.stringify(a) === JSON.stringify(b);
}
