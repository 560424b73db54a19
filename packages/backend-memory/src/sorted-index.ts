import { compareKeys, type ListedObject } from '@datalake/core';

/**
 * Object records kept in `compareKeys` order, so a listing page costs a binary search plus the
 * page itself. Inserts and removals shift the array (a memmove), which stays cheap far beyond
 * the sizes a memory backend is meant for.
 */
export class SortedObjectIndex {
  readonly #objects: ListedObject[] = [];

  /** The live, sorted records. Do not mutate. */
  get objects(): readonly ListedObject[] {
    return this.#objects;
  }

  upsert(object: ListedObject): void {
    const at = this.#lowerBound(object.key);
    if (this.#objects[at]?.key === object.key) this.#objects[at] = object;
    else this.#objects.splice(at, 0, object);
  }

  remove(key: string): void {
    const at = this.#lowerBound(key);
    if (this.#objects[at]?.key === key) this.#objects.splice(at, 1);
  }

  clear(): void {
    this.#objects.length = 0;
  }

  #lowerBound(key: string): number {
    let low = 0;
    let high = this.#objects.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (compareKeys((this.#objects[middle] as ListedObject).key, key) < 0) low = middle + 1;
      else high = middle;
    }
    return low;
  }
}
