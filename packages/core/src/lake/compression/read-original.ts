import type { Entry, StorageBackend } from '@datalake/model';
import { collectBody, DataLakeError } from '@datalake/model';
import { originalBody, storedKeyOf } from './stored-content.js';

/**
 * The original bytes of an entry's content object: `undefined` when the object is missing, `error`
 * when compressed content does not decode (damaged, or grown past the size the entry records).
 */
export async function readOriginal(
  backend: StorageBackend,
  entry: Entry,
): Promise<{ bytes?: Uint8Array; error?: DataLakeError } | undefined> {
  const object = await backend.get(storedKeyOf(entry));
  if (!object) return undefined;
  if (!entry.stored) return { bytes: await collectBody(object.body) };
  try {
    const chunks: Uint8Array[] = [];
    for await (const chunk of originalBody(object.body, entry)) chunks.push(chunk);
    return { bytes: chunks.length === 1 ? (chunks[0] as Uint8Array) : Buffer.concat(chunks) };
  } catch (error) {
    if (error instanceof DataLakeError) return { error };
    throw error;
  }
}
