/**
 * Runs `work` over `items` with at most `concurrency` at a time, in order of start, and returns the
 * results in the items' order. `work` must not throw (callers turn failures into results): one
 * item failing never stops or delays the others.
 */
export async function runPool<T, R>(items: readonly T[], concurrency: number, work: (item: T, index: number) => Promise<R>, onDone?: (done: number) => void): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  let done = 0;
  const lanes = Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index] as T, index);
      onDone?.(++done);
    }
  });
  await Promise.all(lanes);
  return results;
}
