/**
 * Small contents kept in memory by SHA-256, least recently used out first. A SHA-256 names its bytes,
 * so an entry whose current hash is cached needs no storage read and no re-hash; whenever the entry
 * changes, its hash changes, and the stale bytes are simply never asked for again.
 */
export class ContentCache {
  private readonly items = new Map<string, Buffer>();
  private bytes = 0;

  constructor(
    private readonly budgetBytes: number,
    /** Larger contents are not cached. */
    readonly maxItemBytes: number,
  ) {}

  get(sha256: string): Buffer | undefined {
    const item = this.items.get(sha256);
    if (item) {
      this.items.delete(sha256);
      this.items.set(sha256, item);
    }
    return item;
  }

  set(sha256: string, content: Buffer): void {
    if (content.byteLength > this.maxItemBytes || content.byteLength > this.budgetBytes) return;
    if (this.items.has(sha256)) return;
    this.items.set(sha256, content);
    this.bytes += content.byteLength;
    for (const [key, item] of this.items) {
      if (this.bytes <= this.budgetBytes) break;
      this.items.delete(key);
      this.bytes -= item.byteLength;
    }
  }
}
