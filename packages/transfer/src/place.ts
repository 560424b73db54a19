import type { ContentInput, Entry, Lake } from '@datalake/core';

/** Whether `present` can become `wanted` by an update (its metadata keys are all among `wanted`'s; updates merge metadata). */
export function updatable(present: Entry, wanted: Entry): boolean {
  return Object.keys(present.metadata).every((key) => Object.hasOwn(wanted.metadata, key));
}

/**
 * Whether making `present` into `wanted` needs the content's bytes. An import (`imported`, with
 * history) needs them unless it only moves the same entry on without changing its content.
 */
export function needsContent(present: Entry | undefined, wanted: Entry, imported = false): boolean {
  if (imported) return !present || present.id !== wanted.id || present.sha256 !== wanted.sha256;
  return !present || present.sha256 !== wanted.sha256 || !updatable(present, wanted);
}

/**
 * Makes the lake hold `wanted` at its path: a new entry, or the `present` one updated (content and
 * metadata in one update). When `present` has metadata keys `wanted` lacks, which an update cannot
 * remove, it is deleted and stored anew. `content` is required whenever `needsContent` says so.
 */
export async function placeEntry(
  lake: Lake,
  wanted: Entry,
  present: Entry | undefined,
  content: ContentInput | undefined,
): Promise<Entry> {
  if (present && updatable(present, wanted)) {
    return lake.update(present.id, {
      metadata: wanted.metadata,
      ...(present.sha256 !== wanted.sha256 ? { content: required(content, wanted) } : {}),
    });
  }
  if (present) await lake.delete(present.id);
  return lake.store({
    name: wanted.name,
    dataType: wanted.dataType,
    subpath: wanted.subpath,
    metadata: wanted.metadata,
    content: required(content, wanted),
  });
}

function required(content: ContentInput | undefined, wanted: Entry): ContentInput {
  if (content === undefined) throw new Error(`no content given for ${wanted.filePath}`);
  return content;
}
