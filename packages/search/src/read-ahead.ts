/**
 * Yields `read(item)` for each item in order while up to `ahead` later reads are already running,
 * so I/O overlaps the caller's work with bounded memory: reads ahead of the current item also stop
 * while the items being read or handled would `cost` more than `budget` together.
 */
export async function* readAhead<T, V>(
  items: readonly T[],
  ahead: number,
  read: (item: T) => Promise<V>,
  cost: (item: T) => number = () => 0,
  budget = Number.POSITIVE_INFINITY,
): AsyncIterable<{ item: T; value: V }> {
  const pending: Array<Promise<V>> = [];
  let started = 0;
  /** Cost of the items started and not yet handled by the caller. */
  let held = 0;
  const start = () => {
    const promise = read(items[started] as T);
    // Failures surface when the item's turn comes; until then they must not count as unhandled.
    promise.catch(() => undefined);
    pending.push(promise);
    started++;
  };
  for (let i = 0; i < items.length; i++) {
    while (started < items.length && started <= i + ahead) {
      const next = cost(items[started] as T);
      if (started > i && held + next > budget) break;
      held += next;
      start();
    }
    const value = await (pending.shift() as Promise<V>);
    yield { item: items[i] as T, value };
    held -= cost(items[i] as T);
  }
}
