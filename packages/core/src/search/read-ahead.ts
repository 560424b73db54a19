/**
 * Yields `read(item)` for each item in order while up to `ahead` later reads are already running,
 * so I/O overlaps the caller's work with bounded memory.
 */
export async function* readAhead<T, V>(
  items: readonly T[],
  ahead: number,
  read: (item: T) => Promise<V>,
): AsyncIterable<{ item: T; value: V }> {
  const pending: Array<Promise<V>> = [];
  let started = 0;
  const start = () => {
    const promise = read(items[started] as T);
    // Failures surface when the item's turn comes; until then they must not count as unhandled.
    promise.catch(() => undefined);
    pending.push(promise);
    started++;
  };
  for (let i = 0; i < items.length; i++) {
    while (started < items.length && started <= i + ahead) start();
    const value = await (pending.shift() as Promise<V>);
    yield { item: items[i] as T, value };
  }
}
