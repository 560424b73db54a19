import { commonPrefix, compareKeys, type ListOptions, listAfter, normaliseLimit } from '@datalake/core';
import type { OrderedRecord } from './key-order.js';
import type { SortedObjectIndex } from './sorted-index.js';

/**
 * The few records one listing page needs, in order: up to `limit + 1` objects and group
 * representatives after the cursor, seeking past each common-prefix group instead of walking it.
 * Core's `pageFromSortedObjects` turns them into the page, so paging rules live in one place.
 */
export function listWindow(index: SortedObjectIndex, prefix: string, options: ListOptions): OrderedRecord[] {
  const limit = normaliseLimit(options.limit);
  const after = listAfter(options);
  const delimiter = options.delimiter || undefined;
  const window: OrderedRecord[] = [];
  let records = index.from(after !== undefined && compareKeys(after, prefix) > 0 ? after : prefix);
  while (window.length <= limit) {
    const next = records.next();
    if (next.done) break;
    const record = next.value;
    if (!record.key.startsWith(prefix)) break;
    if (after !== undefined && compareKeys(record.key, after) <= 0) continue;
    window.push(record);
    const group = delimiter === undefined ? undefined : commonPrefix(record.key, prefix, delimiter);
    if (group !== undefined) records = index.from(`${group}\u{10ffff}`);
  }
  return window;
}
