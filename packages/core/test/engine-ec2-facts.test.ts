import { describe, expect, it } from "vitest";
import { decide } from "../src/index";
import { DAY, END, HOUR, before, input, iso, makeBlock, makeReservation, plus, record, settings, expectKind, intent } from "./fixtures";

// decide() on what EC2 reports: unknown, expired or foreign reservations, purchase intents to settle, payments in flight.

describe("decide: EC2 facts", () => {
  it("stops for good when EC2 does not know the reservation", () => {
    const d = expectKind(decide(input({ reservation: undefined })), "stop");
    expect(d.reason).toBe("not-found");
    expect(d.retryAt).toBeUndefined();
  });

  it("stops for good once the reservation expired", () => {
    const d = expectKind(decide(input({ reservation: makeReservation({ state: "expired" }) })), "stop");
    expect(d).toMatchObject({ reason: "expired" });
    expect(d.retryAt).toBeUndefined();
  });

  it("stops but re-checks later when another account owns the CB", () => {
    const i = input({ reservation: makeReservation({ ownerId: "999999999999" }) });
    const d = expectKind(decide(i), "stop");
    expect(d.reason).toBe("not-owned");
    expect(d.retryAt).toBe(iso(i.now.getTime() + settings.recheckIntervalMs));
  });

  it("waits while the CB's own purchase is payment-pending", () => {
    const i = input({ reservation: makeReservation({ state: "payment-pending" }) });
    const d = expectKind(decide(i), "wait");
    expect(d.reason).toBe("reservation-pending");
    expect(Date.parse(d.until)).toBeGreaterThan(i.now.getTime());
  });

  it.each(["payment-failed", "cancelled", "failed", "unavailable", "pending"] as const)("does not extend a CB in state %s", (state) => {
    const d = expectKind(decide(input({ reservation: makeReservation({ state }) })), "stop");
    expect(d.reason).toBe("not-extendable");
    expect(d.retryAt).toBeDefined();
  });

  it("extends a scheduled CB like an active one", () => {
    expectKind(decide(input({ reservation: makeReservation({ state: "scheduled" }) })), "purchase");
  });
});

describe("decide: settling a purchase intent", () => {
  it("settles as purchased when the offering is in EC2's history", () => {
    const rec = record({ offeringId: "cbe-bought", status: "payment-succeeded" });
    const d = expectKind(decide(input({ block: makeBlock({ intent: intent() }), history: [rec] })), "settle-intent");
    expect(d).toMatchObject({ outcome: "purchased", extension: rec });
  });

  it("settles before looking at anything else, even for an expired or vanished reservation", () => {
    const rec = record({ status: "payment-failed" });
    expect(decide(input({ block: makeBlock({ intent: intent() }), reservation: undefined, history: [rec] })).kind).toBe("settle-intent");
    expect(
      decide(input({ block: makeBlock({ intent: intent() }), reservation: makeReservation({ state: "expired" }), history: [rec] })).kind,
    ).toBe("settle-intent");
  });

  it("settles as not purchased once the end moved past the intent's window", () => {
    const d = expectKind(
      decide(input({ block: makeBlock({ intent: intent() }), reservation: makeReservation({ endDate: plus(END, 7 * DAY) }) })),
      "settle-intent",
    );
    expect(d.outcome).toBe("not-purchased");
  });

  it("waits for EC2's history during the grace period of a fresh unconfirmed intent", () => {
    const now = before(END, 24 * HOUR);
    const fresh = intent({ createdAt: iso(now.getTime() - 30_000) });
    const d = expectKind(decide(input({ block: makeBlock({ intent: fresh }), now })), "wait");
    expect(d).toEqual({ kind: "wait", reason: "settling", until: iso(Date.parse(fresh.createdAt) + settings.settleGraceMs) });
  });

  it("settles as not purchased after the grace period", () => {
    const d = expectKind(decide(input({ block: makeBlock({ intent: intent() }) })), "settle-intent");
    expect(d.outcome).toBe("not-purchased");
  });

  it("never concludes not-purchased for a confirmed intent while its window lasts", () => {
    const now = before(END, 24 * HOUR);
    const d = expectKind(
      decide(input({ block: makeBlock({ intent: intent({ confirmedAt: iso(now.getTime() - 3600_000) }) }), now })),
      "wait",
    );
    expect(d.reason).toBe("settling");
    expect(Date.parse(d.until)).toBeGreaterThan(now.getTime());
  });

  it("gives up on a confirmed intent that left no trace after its window ended", () => {
    const now = new Date(Date.parse(END) + 10 * 60_000);
    const d = expectKind(decide(input({ block: makeBlock({ intent: intent({ confirmedAt: END }) }), now })), "settle-intent");
    expect(d.outcome).toBe("not-purchased");
  });

  it("never purchases while an intent exists", () => {
    const now = before(END, 24 * HOUR);
    const d = decide(input({ block: makeBlock({ intent: intent({ createdAt: iso(now.getTime()) }) }), now }));
    expect(d.kind).not.toBe("purchase");
  });
});

describe("decide: payments in flight", () => {
  it("awaits a payment-pending extension, whoever bought it", () => {
    const rec = record();
    const d = expectKind(decide(input({ history: [rec] })), "await-payment");
    expect(d).toMatchObject({ window: END, extension: rec, alert: false });
    expect(Date.parse(d.nextCheckAt)).toBeGreaterThan(before(END, 24 * HOUR).getTime());
  });

  it("looks again no later than the alert time", () => {
    const now = before(END, 2 * HOUR + 60_000);
    const d = expectKind(decide(input({ history: [record()], now })), "await-payment");
    expect(d.nextCheckAt).toBe(iso(Date.parse(END) - settings.paymentAlertBeforeMs));
  });

  it("alerts once when the payment is still pending close to the end", () => {
    const now = before(END, HOUR);
    expect(expectKind(decide(input({ history: [record()], now })), "await-payment").alert).toBe(true);
    const pendingExtension = {
      window: END,
      offeringId: "cbe-bought",
      durationHours: 168,
      upfrontFee: "1000",
      currencyCode: "USD",
      purchasedAt: END,
      alertedAt: iso(now.getTime()),
    };
    expect(expectKind(decide(input({ block: makeBlock({ pendingExtension }), history: [record()], now })), "await-payment").alert).toBe(
      false,
    );
  });

  it("awaits payment even for a paused block", () => {
    expect(decide(input({ block: makeBlock({}, { enabled: false }), history: [record()] })).kind).toBe("await-payment");
  });
});
