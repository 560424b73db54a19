import type { AdapterListOptions } from '@datalake/model';
import { compareKeys } from '@datalake/model';
import { commonPrefix } from './list-page.js';

/** Chunks split when they reach twice this many records (measured: 64 to 512 perform alike). */
const CHUNK_SIZE = 128;

interface Slot<T> {
  /** Replaced in place when the key is set again. */
  record: T;
  /** No code unit at or above U+D800: native string order equals UTF-8 byte order for this key. */
  plain: boolean;
}

/** A page of records picked by `SortedKeys.page`. */
export interface SortedPage<T> {
  objects: T[];
  prefixes: string[];
  more: boolean;
}

/**
 * Records kept in UTF-8 byte order of their keys, for adapters that hold their keys in memory: a
 * list of sorted chunks (a flat B-tree), so finding a key's place is two binary searches and
 * inserting or removing one shifts at most one chunk; a map beside it answers point lookups. `page` answers an adapter's `list` call, seeking past each
 * common-prefix group instead of walking it.
 */
export class SortedKeys<T extends { readonly key: string }> {
  #chunks: Slot<T>[][] = [];
  /** The same slots by key: a point lookup or a replacement needs no search. */
  #slots = new Map<string, Slot<T>>();

  get size(): number {
    return this.#slots.size;
  }

  /** Adds a record, or replaces the one with the same key. */
  set(record: T): void {
    const existing = this.#slots.get(record.key);
    if (existing) {
      existing.record = record;
      return;
    }
    const slot = { record, plain: isPlainKey(record.key) };
    this.#slots.set(record.key, slot);
    if (this.#chunks.length === 0) {
      this.#chunks.push([slot]);
      return;
    }
    const { chunk, offset } = this.#locate(record.key, slot.plain);
    const slots = this.#chunks[chunk] as Slot<T>[];
    slots.splice(offset, 0, slot);
    if (slots.length >= 2 * CHUNK_SIZE) this.#chunks.splice(chunk + 1, 0, slots.splice(CHUNK_SIZE));
  }

  /** The record with this key, if any. */
  get(key: string): T | undefined {
    return this.#slots.get(key)?.record;
  }

  /** Removes the record with this key; false when there is none. */
  delete(key: string): boolean {
    const slot = this.#slots.get(key);
    if (!slot) return false;
    this.#slots.delete(key);
    const { chunk, offset } = this.#locate(key, slot.plain);
    const slots = this.#chunks[chunk] as Slot<T>[];
    slots.splice(offset, 1);
    if (slots.length === 0) this.#chunks.splice(chunk, 1);
    return true;
  }

  /** The records whose keys sort at or after `key`, in order. Do not modify the index while iterating. */
  *from(key: string): Generator<T> {
    if (this.#chunks.length === 0) return;
    let { chunk, offset } = this.#locate(key, isPlainKey(key));
    for (; chunk < this.#chunks.length; chunk++, offset = 0) {
      const slots = this.#chunks[chunk] as Slot<T>[];
      for (; offset < slots.length; offset++) yield (slots[offset] as Slot<T>).record;
    }
  }

  /** One listing page under `prefix`, as an adapter's `list` returns it. */
  page(prefix: string, options: AdapterListOptions): SortedPage<T> {
    const { after, delimiter, limit } = options;
    const page: SortedPage<T> = { objects: [], prefixes: [], more: false };
    let records = this.from(after !== undefined && compareKeys(after, prefix) > 0 ? after : prefix);
    for (;;) {
      const next = records.next();
      if (next.done || !next.value.key.startsWith(prefix)) return page;
      const record = next.value;
      if (after !== undefined && compareKeys(record.key, after) <= 0) continue;
      if (page.objects.length + page.prefixes.length === limit) {
        page.more = true;
        return page;
      }
      const group = delimiter === undefined ? undefined : commonPrefix(record.key, prefix, delimiter);
      if (group === undefined) {
        page.objects.push(record);
      } else {
        page.prefixes.push(group);
        records = this.from(`${group}\u{10ffff}`);
      }
    }
  }

  clear(): void {
    this.#chunks = [];
    this.#slots = new Map();
  }

  /** The chunk that holds (or would hold) `key`, and the first position in it not below `key`. */
  #locate(key: string, plain: boolean): { chunk: number; offset: number } {
    let low = 0;
    let high = this.#chunks.length - 1;
    while (low < high) {
      const middle = (low + high) >>> 1;
      const chunk = this.#chunks[middle] as Slot<T>[];
      if (compare(chunk[chunk.length - 1] as Slot<T>, key, plain) < 0) low = middle + 1;
      else high = middle;
    }
    const slots = this.#chunks[low] as Slot<T>[];
    let first = 0;
    let last = slots.length;
    while (first < last) {
      const middle = (first + last) >>> 1;
      if (compare(slots[middle] as Slot<T>, key, plain) < 0) first = middle + 1;
      else last = middle;
    }
    return { chunk: low, offset: first };
  }
}

function isPlainKey(key: string): boolean {
  for (let index = 0; index < key.length; index++) {
    if (key.charCodeAt(index) >= 0xd800) return false;
  }
  return true;
}

function compare<T extends { readonly key: string }>(slot: Slot<T>, key: string, plain: boolean): number {
  const own = slot.record.key;
  if (slot.plain && plain) return own < key ? -1 : own > key ? 1 : 0;
  return compareKeys(own, key);
}
