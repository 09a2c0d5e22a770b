import { describe, expect, it } from "vitest";
import { INTENT_TAG_KEY } from "@cbm/core";
import { blockPurchases, useRequestWorld } from "./support/request-world";

/*
 * Capacity requests end to end: the worker against the EC2 emulator (virtual clock) and DynamoDB Local. The
 * emulator's p5.48xlarge × 1 for 24 h costs 755.14 USD (31.464/instance-hour); its first offering starts
 * 2026-11-24 11:30 UTC, its payment clears 5 minutes after the purchase.
 */
const w = useRequestWorld();

describe("a capacity request without approval", () => {
  it("buys the cheapest fitting offering once, tagged with its intent, registered under the request's policy", async () => {
    const id = await w.open({
      requireApproval: false,
      blockPk: "train-next",
      policy: { extendByDays: 2, requireApproval: false },
      budget: "5000",
      tags: { team: "llm" },
    });

    const first = await w.run();
    w.emu.control.advance({ minutes: 6 });
    const second = await w.run();

    expect([first.statuses[id], second.statuses[id]]).toEqual(["payment-pending", "fulfilled"]);
    const purchases = blockPurchases(w.emu);
    expect(purchases).toHaveLength(1);
    const req = await w.api.get(id);
    expect(req.purchase).toMatchObject({
      capacityReservationId: purchases[0]!.capacityReservationId,
      upfrontFee: "755.14",
      currency: "USD",
      state: "scheduled",
      authorization: { kind: "policy" },
    });
    const reservation = w.emu.control.reservation(purchases[0]!.capacityReservationId)!;
    expect(reservation.tags).toEqual(
      expect.arrayContaining([
        { key: INTENT_TAG_KEY, value: req.purchase!.intentId },
        { key: "team", value: "llm" },
      ]),
    );
    const block = await w.store.get("train-next");
    expect(block).toMatchObject({
      capacityReservationId: reservation.capacityReservationId,
      // The request's budget covers the block and then its extensions: the block's fee is in spent, within it.
      policy: { extendByDays: 2, budget: "5000", currency: "USD" },
      spent: "755.14",
      tags: { team: "llm" },
    });
    expect(w.outbox.list().map((n) => n.kind)).toEqual(["purchased"]);
  });

  it("counts the block's own fee in its spent once, over later runs and a re-registration", async () => {
    await w.open({ requireApproval: false, blockPk: "bought-once", budget: "5000" });
    await w.run();
    w.emu.control.advance({ minutes: 6 });
    await w.run();
    w.emu.control.advance({ minutes: 10 });
    await w.run();
    const registered = (await w.store.get("bought-once"))!;

    await w.blocks.remove("bought-once", { actor: "test" });
    const again = await w.blocks.create(
      { PK: "bought-once", capacityReservationId: registered.capacityReservationId, region: "us-east-1", policy: registered.policy },
      { actor: "test" },
    );

    expect(registered.spent).toBe("755.14");
    expect(again.block.spent).toBe("755.14");
    const events = await w.history.list("bought-once", { limit: 50 });
    expect(events.items.filter((e) => e.type === "purchased").map((e) => e.message)).toEqual([
      expect.stringMatching(/^bought for 755.14 USD by request \S+; counted in spent$/),
    ]);
  });

  it("buys nothing above its caps, saying which cap", async () => {
    const fee = await w.open({ requireApproval: false, maxUpfrontFee: "700" });
    const rate = await w.open({ requireApproval: false, maxUpfrontFee: undefined, maxPricePerInstanceHour: "30" });
    const budget = await w.open({ requireApproval: false, maxUpfrontFee: undefined, budget: "755.13" });

    await w.run();

    expect(blockPurchases(w.emu)).toEqual([]);
    const reasons = await Promise.all([fee, rate, budget].map(async (id) => (await w.api.get(id)).statusReason));
    expect(reasons[0]).toMatch(/above maxUpfrontFee 700/);
    expect(reasons[1]).toMatch(/above maxPricePerInstanceHour 30/);
    expect(reasons[2]).toMatch(/above the budget 755.13/);
  });

  it("waits while nothing is offered, buying once capacity appears", async () => {
    w.emu.control.setCapacity({ instanceType: "p5.48xlarge", available: false });
    w.emu.control.setCapacity({ instanceType: "p5.48xlarge", available: true, from: "2026-11-24T09:00:00Z" });
    const id = await w.open({ requireApproval: false });

    const before = await w.run();
    w.emu.control.advance({ minutes: 30 });
    const meanwhile = await w.run();
    w.emu.control.advance({ minutes: 40 });
    const after = await w.run();

    expect(before.statuses[id]).toBe("searching");
    expect(meanwhile.statuses[id]).toBe("searching");
    expect(after.statuses[id]).toBe("payment-pending");
    expect(blockPurchases(w.emu)).toHaveLength(1);
  });

  it("stops at payment-failed, never buying again for the request", async () => {
    w.emu.control.injectFault({ action: "PurchaseCapacityBlock", kind: "payment-failure" });
    const id = await w.open({ requireApproval: false });

    await w.run();
    w.emu.control.advance({ minutes: 6 });
    const failed = await w.run();
    w.emu.control.advance({ hours: 1 });
    const later = await w.run();

    expect(failed.statuses[id]).toBe("payment-failed");
    expect(later.due).toBe(0);
    expect(blockPurchases(w.emu)).toHaveLength(1);
    expect(w.outbox.list().map((n) => n.kind)).toEqual(["payment-failed"]);
    expect(await w.store.get((await w.api.get(id)).purchase!.capacityReservationId)).toBeUndefined();
  });

  it("expires when its latest start passes with nothing bought", async () => {
    w.emu.control.setCapacity({ instanceType: "p5.48xlarge", available: false });
    const id = await w.open({ requireApproval: false, latestStart: "2026-11-24T09:00:00Z" });

    await w.run();
    w.emu.control.advance({ hours: 2 });
    const report = await w.run();

    expect(report.statuses[id]).toBe("expired");
  });

  it("is cancelled before anything is bought, the worker leaving it alone", async () => {
    const id = await w.open({ requireApproval: false });

    await w.api.cancel(id, { actor: "alice" });
    const report = await w.run();

    expect(report.due).toBe(0);
    expect((await w.api.get(id)).status).toBe("cancelled");
    expect(blockPurchases(w.emu)).toEqual([]);
  });
});

describe("a capacity request with approval", () => {
  it("asks once with the exact terms, buying only after approval, recording the approval it used", async () => {
    const id = await w.open({ requireApproval: true });

    const asked = await w.run();
    w.emu.control.advance({ minutes: 5 });
    await w.run();
    const quoted = await w.api.get(id);
    const { covers } = await w.api.approve(id, { actor: "alice" });
    const bought = await w.run();

    expect(asked.statuses[id]).toBe("awaiting-approval");
    expect(w.outbox.list().filter((n) => n.kind === "approval-request")).toHaveLength(1);
    expect(quoted.quote).toMatchObject({ upfrontFee: "755.14", availabilityZone: "us-east-1a" });
    expect(covers).toBe("1 × p5.48xlarge in us-east-1a for 1 day from 2026-11-24T11:30:00.000Z, at most 755.14 USD");
    expect(bought.statuses[id]).toBe("payment-pending");
    expect((await w.api.get(id)).purchase?.authorization).toMatchObject({
      kind: "approval",
      by: "alice",
      terms: { maxUpfrontFee: "755.14" },
    });
    expect(blockPurchases(w.emu)).toHaveLength(1);
  });

  it("does not buy a dearer offering than the one approved, quoting it anew", async () => {
    const id = await w.open({ requireApproval: true });
    await w.run();
    await w.api.approve(id, { actor: "alice" });
    w.emu.control.setPrice({ instanceType: "p5.48xlarge", hourlyRate: "40" });

    const report = await w.run();

    expect(report.statuses[id]).toBe("awaiting-approval");
    expect((await w.api.get(id)).statusReason).toMatch(/the fee 960.00 USD is above the approved 755.14/);
    expect(blockPurchases(w.emu)).toEqual([]);
    expect(w.outbox.list().filter((n) => n.kind === "approval-request")).toHaveLength(2);
  });

  it("is approved automatically when no approver can be reached, as extensions are", async () => {
    const id = await w.open({ requireApproval: true });

    const report = await w.run({ canReachApprover: false });

    expect(report.statuses[id]).toBe("payment-pending");
    expect((await w.api.get(id)).purchase?.authorization.kind).toBe("auto-approval");
  });

  it("refuses approval before a quote", async () => {
    const id = await w.open({ requireApproval: false });

    const early = await w.api.approve(id, { actor: "alice" }).catch((e: unknown) => e);

    expect(early).toMatchObject({ code: "INVALID_STATE" });
  });

  it("refuses cancellation once bought", async () => {
    const id = await w.open({ requireApproval: false });
    await w.run();

    const late = await w.api.cancel(id, { actor: "alice" }).catch((e: unknown) => e);

    expect(late).toMatchObject({ code: "PURCHASE_IN_FLIGHT" });
  });
});
