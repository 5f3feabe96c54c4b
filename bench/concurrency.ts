/** Calls `task(i)` for i in [0, count), at most `limit` at a time; resolves with the results in index order. */
export async function mapConcurrent<T>(count: number, limit: number, task: (index: number) => Promise<T>): Promise<T[]> {
  const results = new Array<T>(count);
  let next = 0;
  async function lane(): Promise<void> {
    while (next < count) {
      const index = next++;
      results[index] = await task(index);
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, count) }, () => lane()));
  return results;
}
