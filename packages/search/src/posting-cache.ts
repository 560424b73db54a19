import type { TrigramList } from './segment.js';

/** Bytes counted for each entry besides its lists (its key and map entry). */
export const POSTING_CACHE_ENTRY_BYTES = 128;

/**
 * Decoded posting lists of immutable segments (trigram lists, and the documents of word patterns),
 * least recently used first out, bounded by bytes.
 * Segment keys are unique and segments never change, so entries never go stale.
 */
export class PostingCache {
  private readonly lists = new Map<string, TrigramList>();
  private bytes = 0;

  constructor(private readonly budgetBytes: number) {}

  get(key: string): TrigramList | undefined {
    const list = this.lists.get(key);
    if (list) {
      this.lists.delete(key);
      this.lists.set(key, list);
    }
    return list;
  }

  set(key: string, list: TrigramList): void {
    if (sizeOf(list) > this.budgetBytes / 8) return;
    const previous = this.lists.get(key);
    if (previous) this.bytes -= sizeOf(previous);
    this.lists.set(key, list);
    this.bytes += sizeOf(list);
    for (const [oldest, evicted] of this.lists) {
      if (this.bytes <= this.budgetBytes) break;
      this.lists.delete(oldest);
      this.bytes -= sizeOf(evicted);
    }
  }
}

/** Bytes a list holds, with a little for its key and entry: even empty lists count. */
function sizeOf(list: TrigramList): number {
  return list.docs.byteLength + list.masks.byteLength + POSTING_CACHE_ENTRY_BYTES;
}
