import { describe, expect, it } from "vitest";
import { Block, reconcile, type PendingExtension } from "../src/index";
import { DAY, END, HOUR, makeBlock, makeReservation, plus, record } from "./fixtures";

const now = new Date("2025-06-03T12:00:00.000Z");
const NEW_END = plus(END, 7 * DAY);
const pending = (over: Partial<PendingExtension> = {}): PendingExtension => ({
  window: END,
  offeringId: "cbe-bought",
  durationHours: 168,
  upfrontFee: "1000",
  currencyCode: "USD",
  purchasedAt: "2025-06-03T08:15:42.000Z",
  ...over,
});

describe("reconcile", () => {
  it("changes nothing (and asks for no write) when the record already matches EC2", () => {
    const block = makeBlock({
      startDate: "2025-06-02T11:30:00.000Z",
      instanceType: "p5.48xlarge",
      instanceCount: 2,
      platform: "Linux/UNIX",
      tenancy: "default",
    });
    const r = reconcile(block, makeReservation(), [], now);
    expect(r).toEqual({ block, changed: false, events: [], notifications: [] });
  });

  it("replaces a registered block's typed end date with EC2's and fills missing fields", () => {
    const block = makeBlock({
      status: "registered",
      endDate: "2025-06-30T23:59:59.000Z",
      availabilityZone: undefined,
      instanceType: "p4d.24xlarge",
    });
    const r = reconcile(block, makeReservation({ endDate: "2025-06-04T11:30:00Z" }), [], now);
    expect(r.changed).toBe(true);
    expect(r.block).toMatchObject({
      endDate: END,
      startDate: "2025-06-02T11:30:00.000Z",
      availabilityZone: "us-east-2a",
      instanceType: "p4d.24xlarge",
      instanceCount: 2,
      platform: "Linux/UNIX",
      tenancy: "default",
      updatedAt: now.toISOString(),
    });
    expect(r.events).toEqual([
      expect.objectContaining({
        type: "end-date-changed",
        PK: "blk-1",
        actor: "scheduler",
        message: expect.stringMatching(/registration/),
      }),
    ]);
    expect(Block.parse(r.block)).toEqual(r.block);
  });

  it("sets the end date silently when none was known", () => {
    const r = reconcile(makeBlock({ endDate: undefined }), makeReservation(), [], now);
    expect(r.block.endDate).toBe(END);
    expect(r.events).toEqual([]);
  });

  it("ignores a zero instance count before the start", () => {
    const r = reconcile(makeBlock({ instanceCount: undefined }), makeReservation({ instanceCount: 0 }), [], now);
    expect(r.block.instanceCount).toBeUndefined();
    expect(r.events).toEqual([]);
  });

  it("detects an end date moved outside CBM", () => {
    const r = reconcile(makeBlock(), makeReservation({ endDate: NEW_END }), [], now);
    expect(r.events[0]).toMatchObject({
      type: "end-date-changed",
      message: expect.stringMatching(/outside CBM/),
      data: { from: END, to: NEW_END },
    });
  });

  it("settles a paid extension: counts it, clears pending, moves the end", () => {
    const block = makeBlock({ pendingExtension: pending(), lastPurchaseWindow: END, spent: "1000" });
    const r = reconcile(block, makeReservation({ endDate: NEW_END }), [record({ status: "payment-succeeded" })], now);
    expect(r.block).toMatchObject({
      pendingExtension: null,
      extensionsPurchased: 1,
      spent: "1000",
      endDate: NEW_END,
      lastPurchaseWindow: END,
    });
    expect(r.events.map((e) => e.type)).toEqual(["payment-succeeded", "end-date-changed"]);
    expect(r.events[1]!.message).toMatch(/by extension cbe-bought/);
    expect(r.notifications).toEqual([expect.objectContaining({ kind: "purchased", pk: "blk-1", key: `blk-1#${END}#paid` })]);
  });

  it("settles a paid extension from the moved end when the history lags", () => {
    const r = reconcile(makeBlock({ pendingExtension: pending(), spent: "1000" }), makeReservation({ endDate: NEW_END }), [], now);
    expect(r.block).toMatchObject({ pendingExtension: null, extensionsPurchased: 1 });
  });

  it("keeps a pending extension while EC2 says payment-pending or shows nothing", () => {
    const block = makeBlock({ pendingExtension: pending(), spent: "1000" });
    expect(reconcile(block, makeReservation(), [record()], now).block.pendingExtension).toEqual(pending());
    expect(reconcile(block, makeReservation(), [], now).block.pendingExtension).toEqual(pending());
  });

  it("settles a failed payment: refunds the budget, keeps the window marked, notifies", () => {
    const block = makeBlock({ pendingExtension: pending(), lastPurchaseWindow: END, spent: "1500.5" });
    const r = reconcile(block, makeReservation(), [record({ status: "payment-failed" })], now);
    expect(r.block).toMatchObject({
      pendingExtension: null,
      spent: "500.5",
      status: "payment-failed",
      lastPurchaseWindow: END,
      extensionsPurchased: 0,
    });
    expect(r.events.map((e) => e.type)).toEqual(["payment-failed"]);
    expect(r.notifications).toEqual([expect.objectContaining({ kind: "payment-failed" })]);
  });

  it("never lets spent go below zero", () => {
    const r = reconcile(
      makeBlock({ pendingExtension: pending(), spent: "10" }),
      makeReservation(),
      [record({ status: "payment-failed" })],
      now,
    );
    expect(r.block.spent).toBe("0");
  });

  it("does not count or refund extensions bought outside CBM", () => {
    const ext = pending({ external: true });
    const paid = reconcile(
      makeBlock({ pendingExtension: ext, spent: "0" }),
      makeReservation({ endDate: NEW_END }),
      [record({ status: "payment-succeeded" })],
      now,
    );
    expect(paid.block).toMatchObject({ pendingExtension: null, extensionsPurchased: 0, spent: "0" });
    expect(paid.notifications).toEqual([]);
    const failed = reconcile(
      makeBlock({ pendingExtension: ext, spent: "0" }),
      makeReservation(),
      [record({ status: "payment-failed" })],
      now,
    );
    expect(failed.block).toMatchObject({ pendingExtension: null, spent: "0", status: "waiting" });
    expect(failed.events.map((e) => e.type)).toEqual(["payment-failed"]);
  });

  it("drops approvals, denials and requests of a window that no longer exists", () => {
    const v = { window: END, by: "bob", at: END };
    const approvalRequest = { window: END, firstSentAt: END, lastSentAt: END, count: 1, lastCallSent: false };
    const block = makeBlock({ approval: v, approved: true, denial: v, approvalRequest });
    const r = reconcile(block, makeReservation({ endDate: NEW_END }), [], now);
    expect(r.block).toMatchObject({ approval: null, approved: false, denial: null, approvalRequest: null });
    const same = reconcile(block, makeReservation(), [], now);
    expect(same.block).toMatchObject({ approval: v, approved: true, denial: v, approvalRequest });
  });

  it("keeps a verdict for a later window until that window comes (given while this window's extension is paid)", () => {
    const next = { window: NEW_END, by: "bob", at: END };
    const block = makeBlock({ approval: next, approved: true });
    const stillPaying = reconcile(block, makeReservation(), [], now);
    expect(stillPaying.block).toMatchObject({ approval: next, approved: false });
    const moved = reconcile(stillPaying.block, makeReservation({ endDate: NEW_END }), [], now);
    expect(moved.block).toMatchObject({ approval: next, approved: true });
    const denied = reconcile(makeBlock({ denial: next }), makeReservation(), [], now);
    expect(denied.block.denial).toEqual(next);
  });

  it("clears a stale approved flag", () => {
    expect(reconcile(makeBlock({ approved: true }), makeReservation(), [], now).block.approved).toBe(false);
  });

  it("leaves the record alone when EC2 does not know the reservation", () => {
    const block = makeBlock();
    expect(reconcile(block, undefined, [], now).changed).toBe(false);
  });

  it("still settles payments when the reservation is gone", () => {
    const r = reconcile(makeBlock({ pendingExtension: pending(), spent: "1000" }), undefined, [record({ status: "payment-failed" })], now);
    expect(r.block.spent).toBe("0");
    expect(HOUR).toBeGreaterThan(0);
  });
});
