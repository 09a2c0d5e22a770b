import { describe, expect, it } from "vitest";
import { NotFoundError, VersionConflictError, type Page } from "@cbm/core";
import { CONFLICT_ATTEMPTS, retryOnConflict } from "../src/platform/retry-on-conflict";
import { drain, pages } from "../src/platform/pages";
import { pool } from "../src/platform/pool";

/* The helpers every wing shares instead of writing its own loop (docs/architecture.md, platform/). */

/** An attempt that loses `losses` races, then returns "written"; counts its calls. */
function racing(losses: number, error: () => Error = () => new VersionConflictError("pk-1", 3)) {
  const calls = { n: 0 };
  const attempt = async () => {
    calls.n++;
    if (calls.n <= losses) throw error();
    return "written";
  };
  return { calls, attempt };
}

describe("retryOnConflict", () => {
  it("replays an unpinned write on a fresh read until it wins", async () => {
    const { calls, attempt } = racing(CONFLICT_ATTEMPTS - 1);
    await expect(retryOnConflict(attempt)).resolves.toBe("written");
    expect(calls.n).toBe(CONFLICT_ATTEMPTS);
  });

  it("throws the last conflict after its attempts", async () => {
    const { calls, attempt } = racing(CONFLICT_ATTEMPTS);
    await expect(retryOnConflict(attempt)).rejects.toBeInstanceOf(VersionConflictError);
    expect(calls.n).toBe(CONFLICT_ATTEMPTS);
  });

  it("never replays a pinned write: the client's version conflict reaches it", async () => {
    const { calls, attempt } = racing(1);
    await expect(retryOnConflict(attempt, { pinned: true })).rejects.toBeInstanceOf(VersionConflictError);
    expect(calls.n).toBe(1);
  });

  it("throws any other error at once", async () => {
    const { calls, attempt } = racing(1, () => new NotFoundError("pk-1"));
    await expect(retryOnConflict(attempt)).rejects.toBeInstanceOf(NotFoundError);
    expect(calls.n).toBe(1);
  });
});

/** A paged list of `total` numbers, as a store port serves it; records every cursor it was asked for. */
function list(total: number) {
  const asked: (string | undefined)[] = [];
  const read = async ({ limit, cursor }: { limit: number; cursor?: string }): Promise<Page<number>> => {
    asked.push(cursor);
    const from = cursor ? Number(cursor) : 0;
    const items = Array.from({ length: Math.min(limit, total - from) }, (_, i) => from + i);
    const next = from + items.length;
    return next < total ? { items, cursor: String(next) } : { items };
  };
  return { asked, read };
}

describe("pages and drain", () => {
  it("drains every page by following each cursor once", async () => {
    const { asked, read } = list(7);
    const { items, truncated } = await drain(read, { limit: 3 });
    expect(items).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(truncated).toBe(false);
    expect(asked).toEqual([undefined, "3", "6"]);
  });

  it("stops at maxPages with truncated set", async () => {
    const { read } = list(7);
    expect(await drain(read, { limit: 3, maxPages: 2 })).toEqual({ items: [0, 1, 2, 3, 4, 5], truncated: true });
  });

  it("reads no page once `more` says stop, asked before every read", async () => {
    const { asked, read } = list(7);
    let budget = 2;
    const seen: number[][] = [];
    for await (const page of pages(read, { limit: 3, more: () => budget-- > 0 })) seen.push(page.items);
    expect(seen).toEqual([
      [0, 1, 2],
      [3, 4, 5],
    ]);
    expect(asked).toHaveLength(2);
  });
});

describe("pool", () => {
  it("runs every item with at most `limit` in flight", async () => {
    let inFlight = 0;
    let most = 0;
    const done: number[] = [];
    await pool([1, 2, 3, 4, 5, 6, 7], 3, async (n) => {
      inFlight++;
      most = Math.max(most, inFlight);
      await new Promise((resolve) => setTimeout(resolve, 1));
      done.push(n);
      inFlight--;
    });
    expect(done.sort()).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(most).toBe(3);
  });
});
