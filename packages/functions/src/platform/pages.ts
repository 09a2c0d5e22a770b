import type { Page } from "@cbm/core";

/** One read of a paged list, as every store port offers it: up to `limit` items and the cursor of the next page. */
export type PageReader<T> = (opts: { limit: number; cursor?: string }) => Promise<Page<T>>;

export interface PageWalk {
  /** Items asked for per read. */
  limit: number;
  /** Reads at most; a reader that must stay bounded work (a page, a report) stops there. Unbounded unless told. */
  maxPages?: number;
  /** Asked before every read, the first included; false stops the walk (a deadline). */
  more?: () => boolean;
}

/**
 * Every page of a paged list in order, following each cursor until the last page, `maxPages` or `more()` says stop.
 * One walk for every reader, so a cursor is never dropped or followed twice, and bounds are stated where they apply.
 */
export async function* pages<T>(read: PageReader<T>, walk: PageWalk): AsyncGenerator<Page<T>> {
  let cursor: string | undefined;
  for (let n = 0; n < (walk.maxPages ?? Infinity); n++) {
    if (walk.more && !walk.more()) return;
    const page = await read({ limit: walk.limit, ...(cursor ? { cursor } : {}) });
    yield page;
    cursor = page.cursor;
    if (!cursor) return;
  }
}

/** All items of a paged list (up to `maxPages`); `truncated` says a cursor was left unfollowed. */
export async function drain<T>(read: PageReader<T>, walk: PageWalk): Promise<{ items: T[]; truncated: boolean }> {
  const items: T[] = [];
  let truncated = false;
  for await (const page of pages(read, walk)) {
    items.push(...page.items);
    truncated = Boolean(page.cursor);
  }
  return { items, truncated };
}
