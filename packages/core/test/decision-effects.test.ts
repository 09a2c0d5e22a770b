import { describe, expect, it } from "vitest";
import {
  Block,
  failuresAfter,
  intentFor,
  markPaymentAlerted,
  nextCheckAfter,
  recordApprovalRequest,
  recordNotPurchased,
  recordPurchased,
  statusFor,
  withIntent,
  type Decision,
} from "../src/index";
import { END, intent as anIntent, makeBlock, offering, record } from "./fixtures";

const now = new Date("2025-06-03T12:00:00.000Z");
const NOW = now.toISOString();
const o = offering();
const intent = anIntent({ id: "i1", offeringId: o.offeringId, createdAt: NOW });

const all: Decision[] = [
  { kind: "wait", until: END, reason: "window-not-open" },
  { kind: "wait", until: END, reason: "approval-pending" },
  { kind: "wait", until: END, reason: "reservation-pending" },
  { kind: "wait", until: END, reason: "settling" },
  { kind: "wait", until: END, reason: "backoff" },
  { kind: "wait", until: END, reason: "extension-bought" },
  { kind: "fetch-offerings", window: END, durationsHours: [168] },
  { kind: "request-approval", window: END, offering: o, notice: "first", nextCheckAt: END },
  {
    kind: "purchase",
    window: END,
    offering: o,
    approval: "approved",
    authorization: {
      kind: "approval",
      terms: {
        capacityReservationId: o.capacityReservationId,
        window: END,
        durationsHours: [168],
        maxUpfrontFee: "1000",
        currency: "USD",
        basis: "quote",
      },
    },
  },
  { kind: "await-payment", window: END, extension: record(), alert: false, nextCheckAt: END },
  { kind: "settle-intent", intent, outcome: "purchased", extension: record() },
  { kind: "settle-intent", intent, outcome: "not-purchased" },
  { kind: "stop", reason: "currency-mismatch", detail: "EUR only", retryAt: END },
  { kind: "stop", reason: "not-found", detail: "gone" },
];

describe("nextCheckAfter", () => {
  it("gives every decision a future instant, or null for terminal stops", () => {
    expect(all.map((d) => nextCheckAfter(d, now))).toEqual([
      END,
      END,
      END,
      END,
      END,
      END,
      NOW,
      END,
      "2025-06-03T12:01:00.000Z",
      END,
      "2025-06-03T12:01:00.000Z",
      NOW,
      END,
      null,
    ]);
  });
});

describe("statusFor", () => {
  it("maps every decision to a block status with a reason", () => {
    const statuses = all.map((d) => statusFor(d));
    expect(statuses.map((s) => s.status)).toEqual([
      "waiting",
      "awaiting-approval",
      "waiting",
      "purchasing",
      "throttled",
      "payment-pending",
      "waiting",
      "awaiting-approval",
      "purchasing",
      "payment-pending",
      "payment-pending",
      "waiting",
      "no-offering",
      "not-found",
    ]);
    for (const s of statuses) expect(s.reason.length).toBeGreaterThan(0);
    expect(Block.shape.status.safeParse(statuses[0]!.status).success).toBe(true);
  });
});

describe("failuresAfter", () => {
  it("counts retryable offering failures and resets on progress", () => {
    expect(failuresAfter({ kind: "stop", reason: "no-offering", detail: "" }, undefined)).toBe(1);
    expect(failuresAfter({ kind: "stop", reason: "price-above-cap", detail: "" }, 2)).toBe(3);
    expect(failuresAfter({ kind: "fetch-offerings", window: END, durationsHours: [] }, 2)).toBe(2);
    expect(failuresAfter({ kind: "fetch-offerings", window: END, durationsHours: [] }, undefined)).toBe(0);
    expect(failuresAfter(all[8]!, 5)).toBe(0);
  });
});

describe("purchase bookkeeping", () => {
  it("writes an intent, then records the purchase: window marked, fee spent, approval consumed", () => {
    const purchase = all[8] as Extract<Decision, { kind: "purchase" }>;
    const i = intentFor(purchase, "i1", now);
    expect(i).toEqual({ ...intent, authorization: purchase.authorization });
    const approval = { window: END, by: "bob", at: NOW };
    const withI = withIntent(makeBlock({ approval, approved: true, spent: "250.5" }), i, now);
    expect(withI).toMatchObject({ intent: i, status: "purchasing" });
    const bought = recordPurchased(withI, record({ offeringId: o.offeringId }), now);
    expect(bought).toMatchObject({
      intent: null,
      lastPurchaseWindow: END,
      spent: "1250.5",
      approval: null,
      approved: false,
      approvalRequest: null,
      status: "payment-pending",
      pendingExtension: { window: END, offeringId: o.offeringId, upfrontFee: "1000" },
    });
    expect(bought.endDate).toBe(END);
    expect(Block.parse(bought)).toEqual(bought);
    expect(recordNotPurchased(withI, now)).toMatchObject({ intent: null, spent: "250.5" });
  });

  it("counts approval notices per window", () => {
    const first = recordApprovalRequest(
      makeBlock(),
      { kind: "request-approval", window: END, offering: o, notice: "first", nextCheckAt: END },
      now,
    );
    expect(first.approvalRequest).toMatchObject({ window: END, firstSentAt: NOW, lastSentAt: NOW, count: 1, lastCallSent: false });
    const later = new Date(now.getTime() + 3600_000);
    const last = recordApprovalRequest(
      first,
      { kind: "request-approval", window: END, offering: o, notice: "last-call", nextCheckAt: END },
      later,
    );
    expect(last.approvalRequest).toMatchObject({ firstSentAt: NOW, lastSentAt: later.toISOString(), count: 2, lastCallSent: true });
  });

  it("marks a payment alert once, adopting an outside extension", () => {
    const ext = record();
    const adopted = markPaymentAlerted(makeBlock(), ext, now);
    expect(adopted.pendingExtension).toMatchObject({ offeringId: ext.offeringId, alertedAt: NOW, external: true });
    const ours = recordPurchased(makeBlock(), ext, now);
    const marked = markPaymentAlerted(ours, ext, now);
    expect(marked.pendingExtension).toMatchObject({ alertedAt: NOW });
    expect(marked.pendingExtension!.external).toBeUndefined();
  });
});
