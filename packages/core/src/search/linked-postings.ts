/**
 * Posting lists under construction, without an array per key: every posting is a node
 * (document, count, next) in shared typed arrays, linked per key in insertion order. Documents are
 * appended in ascending order, so each list comes out ascending.
 */
export class LinkedPostings<K extends number | string> {
  private readonly ids = new Map<K, number>();
  private keys: K[] = [];
  private heads = new Int32Array(1024);
  private tails = new Int32Array(1024);
  private lengths = new Uint32Array(1024);
  private nodeDocs = new Uint32Array(4096);
  private nodeNext = new Int32Array(4096);
  private nodeCounts = new Uint32Array(4096);
  private nodes = 0;

  /** Number of postings (document, trigram) pairs. */
  get size(): number {
    return this.nodes;
  }

  add(key: K, doc: number, count = 1): void {
    let id = this.ids.get(key);
    if (id === undefined) {
      id = this.ids.size;
      if (id === this.heads.length) this.growLists();
      this.ids.set(key, id);
      this.keys.push(key);
      this.heads[id] = -1;
      this.lengths[id] = 0;
    }
    if (this.nodes === this.nodeDocs.length) this.growNodes();
    const node = this.nodes++;
    this.nodeDocs[node] = doc;
    this.nodeCounts[node] = count;
    this.nodeNext[node] = -1;
    if (this.heads[id] === -1) this.heads[id] = node;
    else this.nodeNext[this.tails[id] as number] = node;
    this.tails[id] = node;
    this.lengths[id] = (this.lengths[id] as number) + 1;
  }

  /** Number of documents listed under `key`. */
  count(key: K): number {
    const id = this.ids.get(key);
    return id === undefined ? 0 : (this.lengths[id] as number);
  }

  docs(key: K): Uint32Array {
    return this.column(key, this.nodeDocs);
  }

  /** The per-document counts of `key`, in the order of `docs(key)`. */
  counts(key: K): Uint32Array {
    return this.column(key, this.nodeCounts);
  }

  keyList(): readonly K[] {
    return this.keys;
  }

  private column(key: K, values: Uint32Array): Uint32Array {
    const id = this.ids.get(key);
    if (id === undefined) return new Uint32Array(0);
    const out = new Uint32Array(this.lengths[id] as number);
    let at = 0;
    for (let node = this.heads[id] as number; node !== -1; node = this.nodeNext[node] as number)
      out[at++] = values[node] as number;
    return out;
  }

  private growLists(): void {
    const size = this.heads.length * 2;
    this.heads = grown(this.heads, new Int32Array(size));
    this.tails = grown(this.tails, new Int32Array(size));
    this.lengths = grown(this.lengths, new Uint32Array(size));
  }

  private growNodes(): void {
    const size = this.nodeDocs.length * 2;
    this.nodeDocs = grown(this.nodeDocs, new Uint32Array(size));
    this.nodeNext = grown(this.nodeNext, new Int32Array(size));
    this.nodeCounts = grown(this.nodeCounts, new Uint32Array(size));
  }
}

function grown<T extends Uint32Array | Int32Array>(from: T, to: T): T {
  to.set(from);
  return to;
}
