import { compareKeys } from '@datalake/core';
import { isPlainKey, type OrderedRecord } from './key-order.js';

/** Chunks split when they reach twice this many records (measured: 64 to 512 perform alike). */
const CHUNK_SIZE = 128;

/**
 * Object records in UTF-8 byte order of their keys, kept as a list of sorted chunks (a flat
 * B-tree): finding a key is two binary searches, inserting or removing one shifts at most one
 * chunk of about a thousand records. One big sorted array would shift the whole array on every
 * insert, which makes bulk loads quadratic.
 */
export class SortedObjectIndex {
  #chunks: OrderedRecord[][] = [];

  get size(): number {
    let total = 0;
    for (const chunk of this.#chunks) total += chunk.length;
    return total;
  }

  /** Adds the record of a key that is not in the index yet. */
  add(record: OrderedRecord): void {
    record.plain = isPlainKey(record.key);
    if (this.#chunks.length === 0) {
      this.#chunks.push([record]);
      return;
    }
    const { chunk, offset } = this.#locate(record.key, record.plain);
    const records = this.#chunks[chunk] as OrderedRecord[];
    records.splice(offset, 0, record);
    if (records.length >= 2 * CHUNK_SIZE) this.#chunks.splice(chunk + 1, 0, records.splice(CHUNK_SIZE));
  }

  /** Removes a record previously added. */
  remove(record: OrderedRecord): void {
    if (this.#chunks.length === 0) return;
    const { chunk, offset } = this.#locate(record.key, record.plain);
    const records = this.#chunks[chunk] as OrderedRecord[];
    if (records[offset] !== record) return;
    records.splice(offset, 1);
    if (records.length === 0) this.#chunks.splice(chunk, 1);
  }

  /** The records whose keys sort at or after `key`, in order. Do not modify the index while iterating. */
  *from(key: string): Generator<OrderedRecord> {
    if (this.#chunks.length === 0) return;
    let { chunk, offset } = this.#locate(key, isPlainKey(key));
    for (; chunk < this.#chunks.length; chunk++, offset = 0) {
      const records = this.#chunks[chunk] as OrderedRecord[];
      for (; offset < records.length; offset++) yield records[offset] as OrderedRecord;
    }
  }

  clear(): void {
    this.#chunks = [];
  }

  /** The chunk that holds (or would hold) `key`, and the first position in it not below `key`. */
  #locate(key: string, plain: boolean): { chunk: number; offset: number } {
    let low = 0;
    let high = this.#chunks.length - 1;
    while (low < high) {
      const middle = (low + high) >>> 1;
      const chunk = this.#chunks[middle] as OrderedRecord[];
      if (compare(chunk[chunk.length - 1] as OrderedRecord, key, plain) < 0) low = middle + 1;
      else high = middle;
    }
    const records = this.#chunks[low] as OrderedRecord[];
    let first = 0;
    let last = records.length;
    while (first < last) {
      const middle = (first + last) >>> 1;
      if (compare(records[middle] as OrderedRecord, key, plain) < 0) first = middle + 1;
      else last = middle;
    }
    return { chunk: low, offset: first };
  }
}

function compare(record: OrderedRecord, key: string, plain: boolean): number {
  if (record.plain && plain) return record.key < key ? -1 : record.key > key ? 1 : 0;
  return compareKeys(record.key, key);
}
