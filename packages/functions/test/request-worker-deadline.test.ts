import type { BlockMarket } from "@cbm/core";
import { describe, expect, it } from "vitest";
import { createRequestsHandler } from "../src/requests/worker/create-requests-handler";
import type { RequestWorkReport } from "../src/requests/worker/request-worker";
import { blockPurchases, useRequestWorld } from "./support/request-world";

/*
 * The request worker stops starting work before its Lambda's timeout, as the tick does: a purchase it begins must be
 * answered and recorded before the function is stopped, or it would be left to the settle path for no reason.
 */
const w = useRequestWorld();

const emptyReport: RequestWorkReport = { due: 0, handled: 0, conflicts: 0, errors: [], statuses: {}, successors: [] };

describe("the request worker's deadline", () => {
  it("starts no request once its deadline has passed, leaving the request due", async () => {
    const id = await w.open({ requireApproval: false });

    const report = await w.run({ deadline: new Date(w.wall.ms - 1) });

    expect(report).toMatchObject({ due: 1, handled: 0, deadlineReached: true });
    expect(blockPurchases(w.emu)).toEqual([]);
    expect((await w.api.get(id)).status).toBe("searching");
  });

  it("does not begin a purchase when the search ran past the deadline", async () => {
    const id = await w.open({ requireApproval: false });
    // The describe calls backed off for a minute of wall time (describe limits): the run's time is up.
    const slowSearch = (inner: BlockMarket): BlockMarket => ({
      ...inner,
      async offerings(region, search) {
        const found = await inner.offerings(region, search);
        w.wall.ms += 60_000;
        return found;
      },
    });

    await w.run({ wrapMarket: slowSearch, deadline: new Date(w.wall.ms + 30_000) });
    const after = await w.api.get(id);

    expect(blockPurchases(w.emu)).toEqual([]);
    expect(after.intent ?? null).toBeNull();
    expect(Date.parse(after.nextCheckAt!)).toBeLessThanOrEqual(w.clock.now().getTime());
  });

  it("gets its deadline from Lambda's remaining time, 15 s before the timeout", async () => {
    const seen: (Date | undefined)[] = [];
    const handler = createRequestsHandler({
      run: async (opts) => {
        seen.push(opts?.deadline);
        return emptyReport;
      },
      logger: { error: () => undefined },
    });

    const before = Date.now();
    await handler({}, { getRemainingTimeInMillis: () => 55_000 });

    expect(seen[0]!.getTime()).toBeGreaterThanOrEqual(before + 40_000);
    expect(seen[0]!.getTime()).toBeLessThanOrEqual(Date.now() + 40_000);
  });
});
