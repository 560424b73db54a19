import type { Entry, Lake } from '@datalake/core';

/**
 * The entry an argument names: an id, or with `byPath` a lake path such as
 * `schema/billing/tables.sql`. Answered from the lake's catalog, without reading content.
 */
export async function findEntry(lake: Lake, reference: string, byPath: boolean): Promise<Entry> {
  return byPath
    ? lake.getEntryByPath(reference.normalize('NFC').replace(/^\/+/, ''))
    : lake.getEntry(reference);
}
