/**
 * Runs `work` on the items in order, up to `window` of them at once, and yields the results in the
 * items' order: reads of the next items overlap the writing of the current one.
 */
export async function* readAhead<T, R>(
  items: readonly T[],
  window: number,
  work: (item: T) => Promise<R>,
): AsyncIterable<R> {
  const started: Promise<R>[] = [];
  let next = 0;
  const fill = () => {
    while (next < items.length && started.length < window) {
      const promise = work(items[next++] as T);
      promise.catch(() => {}); // awaited in order below
      started.push(promise);
    }
  };
  fill();
  while (started.length > 0) {
    const result = await (started.shift() as Promise<R>);
    fill();
    yield result;
  }
}
