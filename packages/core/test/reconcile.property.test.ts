import fc from "fast-check";
import { describe, expect, it } from "vitest";
import Decimal from "decimal.js";
import { reconcile, type ReservationView } from "../src/index";
import { ACCOUNT, CR, DAY, iso } from "./fixtures";
import { RUNS, world } from "./engine-worlds";

describe("reconcile properties", () => {
  it("takes EC2's end date, never raises spending, never un-counts extensions", () => {
    fc.assert(
      fc.property(world, fc.boolean(), (w, moved) => {
        const { block, history } = w.input;
        const r: ReservationView = {
          capacityReservationId: CR,
          ownerId: ACCOUNT,
          region: "us-east-2",
          state: "active",
          endDate: iso(w.end + (moved ? 7 * DAY : 0)),
        };
        const out = reconcile(block, r, history, w.input.now);
        expect(Date.parse(out.block.endDate!)).toBe(Date.parse(r.endDate));
        expect(new Decimal(out.block.spent).lte(block.spent)).toBe(true);
        expect(new Decimal(out.block.spent).gte(0)).toBe(true);
        expect(out.block.extensionsPurchased).toBeGreaterThanOrEqual(block.extensionsPurchased);
        expect(out.block.lastPurchaseWindow).toBe(block.lastPurchaseWindow);
        if (out.block.approved) expect(Date.parse(out.block.approval!.window)).toBe(Date.parse(r.endDate));
      }),
      { numRuns: RUNS },
    );
  });
});
