import type { Entry } from '@datalake/model';
import type { SearchFilters } from './options.js';
import { metadataValueText } from './text.js';

/** Whether an entry passes every filter (the same predicate for scan and index). */
export function matchesFilters(entry: Entry, filters: SearchFilters): boolean {
  if (filters.dataTypes && !filters.dataTypes.has(entry.dataType)) return false;
  if (filters.subpath !== undefined) {
    const { subpath } = filters;
    if (entry.subpath !== subpath && !entry.subpath.startsWith(`${subpath}/`)) return false;
  }
  if (filters.metadata) {
    for (const [key, value] of filters.metadata) {
      if (!Object.hasOwn(entry.metadata, key)) return false;
      if (metadataValueText(entry.metadata[key] ?? null) !== metadataValueText(value)) return false;
    }
  }
  if (filters.createdFrom !== undefined || filters.createdTo !== undefined) {
    if (!within(Date.parse(entry.createdAt), filters.createdFrom, filters.createdTo)) return false;
  }
  if (filters.modifiedFrom !== undefined || filters.modifiedTo !== undefined) {
    const modified = Date.parse(entry.updatedAt ?? entry.createdAt);
    if (!within(modified, filters.modifiedFrom, filters.modifiedTo)) return false;
  }
  return true;
}

function within(time: number, from: number | undefined, to: number | undefined): boolean {
  return (from === undefined || time >= from) && (to === undefined || time <= to);
}
