import { collectBody, type DataLake, type Entry, METADATA_PREFIX } from '@datalake/core';

/**
 * The entry as its record in the lake says now (`.metadata/<id>.json`, the source of truth of the
 * storage layout), read afresh from the backend rather than from this instance's catalog, which may
 * lag behind another instance's writes. `undefined` when there is no such entry or it is being deleted.
 */
export async function freshEntry(lake: DataLake, id: string): Promise<Entry | undefined> {
  if (!/^[A-Za-z0-9_-]{1,128}$/.test(id)) return undefined;
  const object = await lake.backend.get(`${METADATA_PREFIX}${id}.json`);
  if (!object) return undefined;
  const record = JSON.parse(new TextDecoder().decode(await collectBody(object.body))) as {
    entry?: Entry;
    deleted?: unknown;
  };
  if (!record.entry || record.deleted) return undefined;
  return record.entry;
}
