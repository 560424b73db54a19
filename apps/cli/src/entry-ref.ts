import { type DataLake, type Entry, isDataType, NotFoundError } from '@datalake/core';

/**
 * The entry an argument names: an id, or with `byPath` a lake path such as
 * `schema/billing/tables.sql`. Answered from the lake's catalog, without reading content.
 */
export async function findEntry(lake: DataLake, reference: string, byPath: boolean): Promise<Entry> {
  if (byPath) {
    const filePath = reference.normalize('NFC').replace(/^\/+/, '');
    const [dataType, ...rest] = filePath.split('/');
    const folder = rest.slice(0, -1).join('/');
    if (isDataType(dataType) && rest.length > 0) {
      const found = (await lake.list({ dataType, subpath: folder || undefined, recursive: false })).find(
        (entry) => entry.filePath === filePath,
      );
      if (found) return found;
    }
    throw new NotFoundError(`no entry at path "${reference}"`, { details: { filePath: reference } });
  }
  const { content: _content, bytes: _bytes, ...entry } = await lake.retrieve(reference);
  return entry;
}
