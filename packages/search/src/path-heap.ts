import type { Entry } from '@datalake/model';
import { compareKeys } from '@datalake/model';

/**
 * Entries popped in `filePath` order (UTF-8 byte order, as pages are). A page usually needs only the
 * first few of many candidates, so heapifying (linear) beats sorting them all.
 */
export class PathHeap {
  private readonly items: Entry[];

  constructor(entries: Entry[]) {
    this.items = entries;
    for (let i = (entries.length >>> 1) - 1; i >= 0; i--) this.siftDown(i);
  }

  get size(): number {
    return this.items.length;
  }

  pop(): Entry | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (items.length > 0 && last !== undefined) {
      items[0] = last;
      this.siftDown(0);
    }
    return top;
  }

  private siftDown(start: number): void {
    const items = this.items;
    const length = items.length;
    let at = start;
    const item = items[at] as Entry;
    for (;;) {
      let child = 2 * at + 1;
      if (child >= length) break;
      const right = child + 1;
      if (right < length && before(items[right] as Entry, items[child] as Entry)) child = right;
      if (!before(items[child] as Entry, item)) break;
      items[at] = items[child] as Entry;
      at = child;
    }
    items[at] = item;
  }
}

function before(a: Entry, b: Entry): boolean {
  return compareKeys(a.filePath, b.filePath) < 0;
}
