/**
 * Decoded posting lists of immutable segments, least recently used first out, bounded by bytes.
 * Segment keys are unique and segments never change, so entries never go stale.
 */
export class PostingCache {
  private readonly lists = new Map<string, Uint32Array>();
  private bytes = 0;

  constructor(private readonly budgetBytes: number) {}

  get(key: string): Uint32Array | undefined {
    const list = this.lists.get(key);
    if (list) {
      this.lists.delete(key);
      this.lists.set(key, list);
    }
    return list;
  }

  set(key: string, list: Uint32Array): void {
    if (list.byteLength > this.budgetBytes / 8) return;
    const previous = this.lists.get(key);
    if (previous) this.bytes -= previous.byteLength;
    this.lists.set(key, list);
    this.bytes += list.byteLength;
    for (const [oldest, evicted] of this.lists) {
      if (this.bytes <= this.budgetBytes) break;
      this.lists.delete(oldest);
      this.bytes -= evicted.byteLength;
    }
  }
}
