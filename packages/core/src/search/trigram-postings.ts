/**
 * Trigram posting lists under construction, without an array per trigram: every posting is a node
 * (document, next) in shared typed arrays, linked per trigram in insertion order. Documents are
 * appended in ascending order, so each list comes out ascending.
 */
export class TrigramPostings {
  private readonly ids = new Map<number, number>();
  private keys = new Uint32Array(1024);
  private heads = new Int32Array(1024);
  private tails = new Int32Array(1024);
  private counts = new Uint32Array(1024);
  private nodeDocs = new Uint32Array(4096);
  private nodeNext = new Int32Array(4096);
  private nodes = 0;

  /** Number of postings (document, trigram) pairs. */
  get size(): number {
    return this.nodes;
  }

  add(key: number, doc: number): void {
    let id = this.ids.get(key);
    if (id === undefined) {
      id = this.ids.size;
      if (id === this.keys.length) this.growLists();
      this.ids.set(key, id);
      this.keys[id] = key;
      this.heads[id] = -1;
      this.counts[id] = 0;
    }
    if (this.nodes === this.nodeDocs.length) this.growNodes();
    const node = this.nodes++;
    this.nodeDocs[node] = doc;
    this.nodeNext[node] = -1;
    if (this.heads[id] === -1) this.heads[id] = node;
    else this.nodeNext[this.tails[id] as number] = node;
    this.tails[id] = node;
    this.counts[id] = (this.counts[id] as number) + 1;
  }

  count(key: number): number {
    const id = this.ids.get(key);
    return id === undefined ? 0 : (this.counts[id] as number);
  }

  docs(key: number): Uint32Array {
    const id = this.ids.get(key);
    if (id === undefined) return new Uint32Array(0);
    const out = new Uint32Array(this.counts[id] as number);
    let at = 0;
    for (let node = this.heads[id] as number; node !== -1; node = this.nodeNext[node] as number)
      out[at++] = this.nodeDocs[node] as number;
    return out;
  }

  /** Trigram keys in ascending order. */
  sortedKeys(): Uint32Array {
    return this.keys.slice(0, this.ids.size).sort();
  }

  private growLists(): void {
    const size = this.keys.length * 2;
    this.keys = grown(this.keys, new Uint32Array(size));
    this.heads = grown(this.heads, new Int32Array(size));
    this.tails = grown(this.tails, new Int32Array(size));
    this.counts = grown(this.counts, new Uint32Array(size));
  }

  private growNodes(): void {
    const size = this.nodeDocs.length * 2;
    this.nodeDocs = grown(this.nodeDocs, new Uint32Array(size));
    this.nodeNext = grown(this.nodeNext, new Int32Array(size));
  }
}

function grown<T extends Uint32Array | Int32Array>(from: T, to: T): T {
  to.set(from);
  return to;
}
