/** A set of document numbers of one segment, as a bitset: membership is one array read. */
export class DocSet {
  private constructor(private readonly bits: Uint32Array) {}

  static of(docs: ArrayLike<number>, size: number): DocSet {
    const bits = new Uint32Array((size + 31) >>> 5);
    for (let i = 0; i < docs.length; i++) {
      const doc = docs[i] as number;
      bits[doc >>> 5] = (bits[doc >>> 5] as number) | (1 << (doc & 31));
    }
    return new DocSet(bits);
  }

  has(doc: number): boolean {
    return (((this.bits[doc >>> 5] ?? 0) >>> (doc & 31)) & 1) === 1;
  }
}
