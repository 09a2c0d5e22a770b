import { describe, expect, it } from "vitest";
import { Block, PurchaseInFlightError } from "@cbm/core";
import { CR, END, NOW, applyBlockUpdate, ctx, fields, issuesOf, waitingBlock, stored } from "./support/block-body";

describe("applyBlockUpdate", () => {
  it("applies a partial update: the version kept, the block due now", () => {
    const { block, expectedVersion } = applyBlockUpdate(stored(), { extendByDays: 14, name: "x", version: 3 }, ctx);
    expect(block).toMatchObject({ version: 3, nextCheckAt: NOW, updatedAt: NOW, failures: 0, name: "x" });
    expect(block.policy).toMatchObject({ extendByDays: 14, requireApproval: true, maxUpfrontFee: "5000" });
    expect(expectedVersion).toBe(3);
    expect(Block.parse(block)).toEqual(block);
  });

  it("returns no expectedVersion when none was sent", () => {
    expect(applyBlockUpdate(stored(), {}, ctx)).not.toHaveProperty("expectedVersion");
  });

  it("accepts the original README's update example with a hint warning", () => {
    const { block, warnings } = applyBlockUpdate(stored(), { instanceCount: 16, endDate: "2025-12-31T23:59:59Z" }, ctx);
    expect(block).toMatchObject({ instanceCount: 16, endDate: "2025-12-31T23:59:59.000Z" });
    expect(warnings.join(" ")).toMatch(/hint/);
  });

  it("clears optional limits with null", () => {
    const { block } = applyBlockUpdate(stored(), { maxUpfrontFee: null, policy: { budget: null }, name: null }, ctx);
    expect(block.policy).not.toHaveProperty("maxUpfrontFee");
    expect(block).not.toHaveProperty("name");
  });

  it("refuses to change PK or the reservation id", () => {
    expect(fields(() => applyBlockUpdate(stored(), { PK: "other" }, ctx))).toEqual(["PK"]);
    expect(fields(() => applyBlockUpdate(stored(), { capacityReservationId: "cr-00000000000000000" }, ctx))).toEqual([
      "capacityReservationId",
    ]);
    expect(fields(() => applyBlockUpdate(stored(), { capacity_block_id: "cr-00000000000000000" }, ctx))).toEqual(["capacity_block_id"]);
  });

  it("accepts PK or the reservation id sent unchanged", () => {
    expect(applyBlockUpdate(stored(), { PK: "blk-1", capacityReservationId: CR }, ctx).block.PK).toBe("blk-1");
  });

  it("ignores the first release's status values on update, with a warning", () => {
    const { warnings } = applyBlockUpdate(stored(), { status: "ACTIVE", name: "x" }, ctx);
    expect(warnings.join(" ")).toMatch(/status "ACTIVE" is ignored/);
  });

  it("moves the region with a new zone", () => {
    expect(applyBlockUpdate(stored(), { availabilityZone: "us-west-2a" }, ctx).block.region).toBe("us-west-2");
    expect(applyBlockUpdate(stored(), { region: "us-west-2", availabilityZone: "us-west-2a" }, ctx).block.region).toBe("us-west-2");
  });

  it("refuses a region with a zone outside it", () => {
    expect(fields(() => applyBlockUpdate(stored(), { region: "us-west-2" }, ctx))).toEqual(["availabilityZone"]);
    expect(fields(() => applyBlockUpdate(stored(), { availabilityZone: "moon-1a" }, ctx))).toEqual(["availabilityZone"]);
  });

  it("refuses to move the region while a purchase is in flight", () => {
    const b = {
      ...stored(),
      availabilityZone: undefined,
      intent: { id: "i", window: END, offeringId: "o", durationHours: 24, upfrontFee: "1", currencyCode: "USD", createdAt: NOW },
    };
    expect(() => applyBlockUpdate(b, { region: "us-west-2" }, ctx)).toThrow(PurchaseInFlightError);
  });

  it("checks dates against each other", () => {
    expect(fields(() => applyBlockUpdate(stored(), { startDate: "2025-07-01T00:00:00Z" }, ctx))).toEqual(["startDate"]);
    expect(
      fields(() => applyBlockUpdate({ ...stored(), startDate: "2025-06-02T11:30:00.000Z" }, { end_time: "2025-06-01T11:30:00Z" }, ctx)),
    ).toEqual(["end_time"]);
  });

  it("keeps the same validation as create", () => {
    expect(fields(() => applyBlockUpdate(stored(), { extendByDays: 15, lookaheadDays: 100 }, ctx))).toEqual([
      "extendByDays",
      "lookaheadDays",
    ]);
    expect(fields(() => applyBlockUpdate(stored(), { lookaheadHours: 24, lookaheadDays: 2 }, ctx))).toEqual(["lookaheadDays"]);
  });

  it("updates descriptive fields, aliases included", () => {
    const { block } = applyBlockUpdate(
      stored(),
      { instance_type: "trn2.48xlarge", platform: "Linux/UNIX", tenancy: "default", require_approval: false, lookaheadHours: 24 },
      ctx,
    );
    expect(block).toMatchObject({ instanceType: "trn2.48xlarge", platform: "Linux/UNIX", tenancy: "default" });
    expect(block.policy).toMatchObject({ requireApproval: false, lookaheadHours: 24 });
  });
});

describe("applyBlockUpdate: currency and spend", () => {
  it("refuses to change the currency while spend is counted in the old one", () => {
    const spent = waitingBlock({ spent: "900" }, { currency: "USD" });
    expect(issuesOf(() => applyBlockUpdate(spent, { currency: "EUR" }, ctx))).toEqual([
      expect.objectContaining({ field: "currency", code: "conflict" }),
    ]);
  });

  it("changes the currency of a block that spent nothing", () => {
    expect(applyBlockUpdate(waitingBlock({ spent: "0" }), { currency: "EUR" }, ctx).block.policy.currency).toBe("EUR");
  });
});
