/**
 * Runs `fn` over `items` with at most `limit` in flight, in order of start. The tick processes a page of blocks and
 * the spend report reads histories this way: bounded parallel calls, so one slow call does not hold the rest and
 * a large list never opens more calls than a client's limits allow.
 */
export async function pool<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
