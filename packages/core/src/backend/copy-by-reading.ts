import type {
  AdapterCopyOptions,
  AdapterPutOptions,
  BodyInput,
  GetOptions,
  GetResult,
  PutResult,
} from '@datalake/model';
import { discardBody } from './front-get.js';

/** What copying by reading needs: a `get` and a `put`, of an adapter or of a whole backend. */
export interface ReadWriteStore {
  get(key: string, options: GetOptions): Promise<GetResult | null>;
  put(key: string, body: BodyInput, options: AdapterPutOptions): Promise<PutResult>;
}

/**
 * `copy` as a read of the source and a write of its bytes to the target: the version read is the
 * version copied, so `ifSourceMatch` is checked against the etag of what was read.
 */
export async function copyByReading(
  store: ReadWriteStore,
  source: string,
  target: string,
  options: AdapterCopyOptions,
): Promise<PutResult | null> {
  const object = await store.get(source, {});
  if (!object) return null;
  if (options.ifSourceMatch !== undefined && options.ifSourceMatch !== object.etag) {
    await discardBody(object.body);
    return null;
  }
  const put: AdapterPutOptions = { mode: options.mode, contentLength: object.size };
  if (options.deferDurability) put.deferDurability = true;
  return store.put(target, object.body, put);
}
