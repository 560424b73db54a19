import type { Entry } from './entry.js';

/**
 * An entry's own fields and nothing else, in a fixed order: what a lake moves between lakes (a
 * backup, a restore, a copy). How a lake stored the content (`stored`) stays behind.
 */
export function entryFields(entry: Entry): Entry {
  return {
    id: entry.id,
    name: entry.name,
    dataType: entry.dataType,
    metadata: entry.metadata,
    createdAt: entry.createdAt,
    updatedAt: entry.updatedAt,
    filePath: entry.filePath,
    subpath: entry.subpath,
    size: entry.size,
    sha256: entry.sha256,
  };
}
