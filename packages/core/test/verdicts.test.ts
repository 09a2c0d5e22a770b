import { describe, expect, it } from "vitest";
import { Block, InvalidStateError, PurchaseInFlightError, applyVerdict, decide, verdictWindow } from "../src/index";
import { END, input, makeBlock } from "./fixtures";

const now = new Date("2025-06-03T12:00:00.000Z");
const NEXT_WEEK = "2025-06-11T11:30:00.000Z";

describe("approve and deny", () => {
  const needs = () => makeBlock({ status: "awaiting-approval", denial: { window: END, by: "eve", at: END } }, { requireApproval: true });

  const capped = () =>
    makeBlock(
      { status: "awaiting-approval", denial: { window: END, by: "eve", at: END } },
      { requireApproval: true, maxUpfrontFee: "1500" },
    );

  it("approves the current window, replacing a denial", () => {
    const { block, event } = applyVerdict(capped(), "approved", { by: "cli:alice", comment: "go" }, now);
    expect(block).toMatchObject({
      approved: true,
      denial: null,
      status: "approved",
      nextCheckAt: now.toISOString(),
      approval: { window: END, by: "cli:alice", comment: "go" },
    });
    expect(event).toMatchObject({ type: "approved", actor: "cli:alice", data: { window: END, comment: "go" } });
    expect(Block.parse(block)).toEqual(block);
  });

  it("covers the policy's durations and cap with an approval given before any notice", () => {
    const { block, covers } = applyVerdict(capped(), "approved", { by: "cli:alice" }, now);
    expect(block.approval!.terms).toMatchObject({
      basis: "advance",
      durationsHours: [168],
      maxUpfrontFee: "1500",
      currency: "USD",
      window: END,
    });
    expect(covers).toMatch(/7 days, for at most 1500 USD/);
  });

  it("lets the engine buy within the policy's cap once approved", () => {
    const { block } = applyVerdict(capped(), "approved", { by: "cli:alice" }, now);
    expect(decide(input({ block })).kind).toBe("purchase");
  });

  it("binds an approval given after a notice to the quoted offering", () => {
    const quoted = {
      window: END,
      firstSentAt: END,
      lastSentAt: END,
      count: 1,
      lastCallSent: false,
      offeringId: "cbe-1",
      upfrontFee: "1680",
      durationHours: 168,
      currencyCode: "USD",
    };
    const { block } = applyVerdict(makeBlock({ approvalRequest: quoted }, { requireApproval: true }), "approved", { by: "fin" }, now);
    expect(block.approval!.terms).toMatchObject({
      basis: "quote",
      durationsHours: [168],
      maxUpfrontFee: "1680",
      currency: "USD",
      offeringId: "cbe-1",
    });
  });

  it("gives an approval in advance without a fee cap no fee, so the engine asks for the quoted price", () => {
    const { block, covers } = applyVerdict(needs(), "approved", { by: "cli:alice" }, now);
    expect(block.approval!.terms!.maxUpfrontFee).toBeUndefined();
    expect(covers).toMatch(/fee still to be quoted/);
    expect(decide(input({ block }))).toMatchObject({ kind: "request-approval", notice: "terms-changed" });
  });

  it("denies the current window, withdrawing an approval", () => {
    const approved = applyVerdict(needs(), "approved", { by: "a" }, now).block;
    const { block, event } = applyVerdict(approved, "denied", { by: "b" }, now);
    expect(block).toMatchObject({ approved: false, approval: null, status: "denied", denial: { window: END, by: "b" } });
    expect(event.type).toBe("denied");
  });

  it("stops the engine for a denied window", () => {
    const { block } = applyVerdict(needs(), "denied", { by: "b" }, now);
    expect(decide(input({ block }))).toMatchObject({ kind: "stop", reason: "denied" });
  });

  it("keeps a status that says something else than the last verdict", () => {
    const { block } = applyVerdict(makeBlock({ status: "no-offering" }), "approved", { by: "a" }, now);
    expect(block.status).toBe("no-offering");
  });

  it("applies to the next window once this window's extension is bought", () => {
    const pending = makeBlock({
      lastPurchaseWindow: END,
      pendingExtension: { window: END, offeringId: "cbe-1", durationHours: 168, upfrontFee: "10", currencyCode: "USD", purchasedAt: END },
    });
    expect(verdictWindow(pending)).toBe(NEXT_WEEK);
    expect(verdictWindow(makeBlock({ lastPurchaseWindow: END }, { extendByDays: 7 }))).toBe(NEXT_WEEK);
  });

  it("refuses while a purchase's outcome is unknown: the verdict would be lost if it never happened", () => {
    const inFlight = makeBlock({
      intent: { id: "i-1", window: END, offeringId: "cbe-1", durationHours: 168, upfrontFee: "10", currencyCode: "USD", createdAt: END },
    });
    expect(() => applyVerdict(inFlight, "approved", { by: "a" }, now)).toThrow(PurchaseInFlightError);
    expect(() => applyVerdict(inFlight, "denied", { by: "a" }, now)).toThrow(PurchaseInFlightError);
  });

  it("refuses a verdict while no end date is known", () => {
    expect(() => applyVerdict(makeBlock({ endDate: undefined }), "denied", { by: "a" }, now)).toThrow(InvalidStateError);
  });
});
