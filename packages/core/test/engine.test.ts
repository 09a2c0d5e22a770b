import { describe, expect, it } from "vitest";
import {
  backoffDelayMs,
  backoffUntil,
  decide,
  wantedDurationsDays,
  type AuthorizationTerms,
  type Decision,
  type PurchaseIntent,
} from "../src/index";
import {
  CR,
  DAY,
  END,
  HOUR,
  before,
  input,
  iso,
  makeBlock,
  makeReservation,
  offering,
  offeringsMap,
  plus,
  record,
  settings,
} from "./fixtures";

function expectKind<K extends Decision["kind"]>(d: Decision, kind: K): Extract<Decision, { kind: K }> {
  expect(d.kind).toBe(kind);
  return d as Extract<Decision, { kind: K }>;
}

const intent = (over: Partial<PurchaseIntent> = {}): PurchaseIntent => ({
  id: "int-1",
  window: END,
  offeringId: "cbe-bought",
  durationHours: 168,
  upfrontFee: "1000",
  currencyCode: "USD",
  createdAt: iso(before(END, 24 * HOUR).getTime() - 10 * 60_000),
  ...over,
});

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

describe("decide: policy limits", () => {
  it("pauses when the policy is disabled", () => {
    const d = expectKind(decide(input({ block: makeBlock({}, { enabled: false }) })), "stop");
    expect(d.reason).toBe("paused");
    expect(d.retryAt).toBeDefined();
  });

  it("stops once the end date reached extendUntil", () => {
    const d = expectKind(decide(input({ block: makeBlock({}, { extendUntil: END }) })), "stop");
    expect(d.reason).toBe("extend-until-reached");
    expect(Date.parse(d.retryAt!)).toBeGreaterThan(Date.parse(END));
  });

  it("stops after maxExtensions", () => {
    const d = expectKind(decide(input({ block: makeBlock({ extensionsPurchased: 2 }, { maxExtensions: 2 }) })), "stop");
    expect(d.reason).toBe("max-extensions-reached");
  });

  it("buys below maxExtensions", () => {
    expectKind(decide(input({ block: makeBlock({ extensionsPurchased: 1 }, { maxExtensions: 2 }) })), "purchase");
  });
});

describe("decide: one purchase per window", () => {
  it("waits when lastPurchaseWindow is the current window", () => {
    const d = expectKind(decide(input({ block: makeBlock({ lastPurchaseWindow: "2025-06-04T11:30:00Z" }) })), "wait");
    expect(d.reason).toBe("extension-bought");
  });

  it("waits when a pending extension is recorded for this window", () => {
    const pendingExtension = { window: END, offeringId: "x", durationHours: 24, upfrontFee: "1", currencyCode: "USD", purchasedAt: END };
    expect(decide(input({ block: makeBlock({ pendingExtension }) })).kind).toBe("wait");
  });

  it("waits when EC2's history already has a succeeded extension from this end date (bought outside CBM)", () => {
    expect(decide(input({ history: [record({ status: "payment-succeeded" })] })).kind).toBe("wait");
  });

  it("does not retry a failed payment in the same window", () => {
    const d = expectKind(
      decide(input({ block: makeBlock({ lastPurchaseWindow: END }), history: [record({ status: "payment-failed" })] })),
      "stop",
    );
    expect(d.reason).toBe("payment-failed");
    expect(Date.parse(d.retryAt!)).toBeGreaterThan(Date.parse(END));
  });

  it("ignores history of earlier windows", () => {
    const old = record({ status: "payment-succeeded", startDate: plus(END, -7 * DAY) });
    expectKind(decide(input({ history: [old], block: makeBlock({ lastPurchaseWindow: plus(END, -7 * DAY) }) })), "purchase");
  });
});

describe("decide: the window", () => {
  it("waits until the lookahead opens", () => {
    const now = before(END, 49 * HOUR);
    const d = expectKind(decide(input({ now })), "wait");
    expect(d).toEqual({ kind: "wait", reason: "window-not-open", until: iso(Date.parse(END) - 48 * HOUR) });
  });

  it("caps a long wait at the recheck interval", () => {
    const now = before(END, 30 * DAY);
    const d = expectKind(decide(input({ now })), "wait");
    expect(d.until).toBe(iso(now.getTime() + settings.recheckIntervalMs));
  });

  it("never opens before EC2's 56 days", () => {
    const now = before(END, 57 * DAY);
    const d = expectKind(decide(input({ now, block: makeBlock({}, { lookaheadHours: 56 * 24 }) })), "wait");
    expect(d.reason).toBe("window-not-open");
  });

  it("buys at the opening instant", () => {
    expectKind(decide(input({ now: before(END, 48 * HOUR) })), "purchase");
  });

  it("buys at the closing instant and stops just after it", () => {
    expectKind(decide(input({ now: before(END, settings.windowClosesBeforeMs) })), "purchase");
    const d = expectKind(decide(input({ now: before(END, settings.windowClosesBeforeMs - 1) })), "stop");
    expect(d.reason).toBe("window-closed");
    expect(Date.parse(d.retryAt!)).toBeGreaterThan(Date.parse(END));
  });

  it("stops a denied window and retries after the end", () => {
    const denial = { window: END, by: "alice", at: END };
    const d = expectKind(decide(input({ block: makeBlock({ denial }) })), "stop");
    expect(d.reason).toBe("denied");
  });

  it("ignores a denial of an earlier window", () => {
    const denial = { window: plus(END, -DAY), by: "alice", at: END };
    expectKind(decide(input({ block: makeBlock({ denial }) })), "purchase");
  });
});

describe("decide: offerings", () => {
  it("asks for offerings of the wanted duration first", () => {
    const d = expectKind(decide(input({ offerings: undefined })), "fetch-offerings");
    expect(d).toEqual({ kind: "fetch-offerings", window: END, durationsHours: [168] });
  });

  it("asks for the shorter fallbacks too when the policy allows them", () => {
    const d = expectKind(
      decide(input({ offerings: undefined, block: makeBlock({}, { extendByDays: 3, allowShorterFallback: true }) })),
      "fetch-offerings",
    );
    expect(d.durationsHours).toEqual([72, 48, 24]);
  });

  it("asks only for the durations not fetched yet", () => {
    const d = expectKind(
      decide(input({ offerings: offeringsMap(), block: makeBlock({}, { extendByDays: 3, allowShorterFallback: true }) })),
      "fetch-offerings",
    );
    expect(d.durationsHours).toEqual([72, 48, 24]);
    const m = new Map([[72, []]]);
    expect(
      expectKind(decide(input({ offerings: m, block: makeBlock({}, { extendByDays: 3, allowShorterFallback: true }) })), "fetch-offerings")
        .durationsHours,
    ).toEqual([48, 24]);
  });

  it("shortens the extension to what reaches extendUntil", () => {
    const block = makeBlock({}, { extendByDays: 14, extendUntil: plus(END, 2 * DAY + HOUR) });
    expect(expectKind(decide(input({ block, offerings: undefined })), "fetch-offerings").durationsHours).toEqual([72]);
  });

  it("buys the cheapest offering of the preferred duration", () => {
    const cheap = offering({ upfrontFee: "999.99", offeringId: "cheap" });
    const d = expectKind(
      decide(input({ offerings: offeringsMap(offering({ upfrontFee: "1000" }), cheap, offering({ upfrontFee: "10000" })) })),
      "purchase",
    );
    expect(d.offering.offeringId).toBe("cheap");
    expect(d.approval).toBe("not-required");
  });

  it("falls back to a shorter duration when the preferred one has nothing", () => {
    const short = offering({ durationHours: 48, offeringId: "short" });
    const m = new Map([
      [72, []],
      [48, [short]],
    ]);
    const d = expectKind(
      decide(input({ offerings: m, block: makeBlock({}, { extendByDays: 3, allowShorterFallback: true }) })),
      "purchase",
    );
    expect(d.offering.offeringId).toBe("short");
  });

  it("ignores stale offerings for another window and off-ladder durations", () => {
    const stale = offering({ startDate: plus(END, -DAY) });
    const odd = offering({ durationHours: 30 });
    const d = expectKind(decide(input({ offerings: new Map([[168, [stale, { ...odd, durationHours: 168 + 1 }]]]) })), "stop");
    expect(d.reason).toBe("no-offering");
  });

  it("stops with backoff when nothing is offered", () => {
    const i = input({ offerings: new Map([[168, []]]), block: makeBlock({ failures: 2 }) });
    const d = expectKind(decide(i), "stop");
    expect(d.reason).toBe("no-offering");
    expect(d.retryAt).toBe(iso(i.now.getTime() + settings.backoffBaseMs * 4));
  });

  it("stops on currency mismatch", () => {
    const d = expectKind(decide(input({ offerings: offeringsMap(offering({ currencyCode: "EUR" })) })), "stop");
    expect(d.reason).toBe("currency-mismatch");
  });

  it("stops when the cheapest offering is above maxUpfrontFee, comparing decimals exactly", () => {
    const d = expectKind(decide(input({ block: makeBlock({}, { maxUpfrontFee: "999.999999" }) })), "stop");
    expect(d.reason).toBe("price-above-cap");
    expectKind(decide(input({ block: makeBlock({}, { maxUpfrontFee: "1000.000" }) })), "purchase");
  });

  it("falls back to a shorter, cheaper duration when the preferred one is above the cap", () => {
    const m = offeringsMap(
      offering({ durationHours: 72, upfrontFee: "900" }),
      offering({ durationHours: 48, upfrontFee: "600", offeringId: "ok" }),
    );
    const block = makeBlock({}, { extendByDays: 3, allowShorterFallback: true, maxUpfrontFee: "700" });
    expect(expectKind(decide(input({ block, offerings: m })), "purchase").offering.offeringId).toBe("ok");
  });

  it("stops when the fee would exceed the remaining budget", () => {
    const d = expectKind(decide(input({ block: makeBlock({ spent: "9000.01" }, { budget: "10000" }) })), "stop");
    expect(d.reason).toBe("budget-exhausted");
    expect(d.retryAt).toBeDefined();
    expectKind(decide(input({ block: makeBlock({ spent: "9000" }, { budget: "10000" }) })), "purchase");
  });
});

describe("decide: approval", () => {
  const needs = (over: Parameters<typeof makeBlock>[0] = {}) => makeBlock(over, { requireApproval: true });

  const terms = (over: Partial<AuthorizationTerms> = {}): AuthorizationTerms => ({
    capacityReservationId: CR,
    window: END,
    durationsHours: [168],
    maxUpfrontFee: "1000",
    currency: "USD",
    basis: "quote",
    ...over,
  });

  it("buys with an approval for this window whose terms cover the offering", () => {
    const approval = { window: "2025-06-04T11:30:00Z", by: "bob", at: END, terms: terms() };
    const d = expectKind(decide(input({ block: needs({ approval }) })), "purchase");
    expect(d.approval).toBe("approved");
    expect(d.authorization).toMatchObject({ kind: "approval", by: "bob", terms: terms() });
  });

  it("buys a cheaper offering than the one approved", () => {
    const approval = { window: END, by: "bob", at: END, terms: terms({ maxUpfrontFee: "1500" }) };
    expect(decide(input({ block: needs({ approval }) })).kind).toBe("purchase");
  });

  it.each([
    ["a dearer fee", terms({ maxUpfrontFee: "999.99" }), /fee 1000 USD is above the approved 999.99 USD/],
    ["another duration", terms({ durationsHours: [24] }), /duration 7 days is not the approved 1 day/],
    ["another currency", terms({ currency: "EUR" }), /currency USD is not the approved EUR/],
    ["another window", terms({ window: plus(END, -DAY) }), /window ending/],
    ["another registration", terms({ registrationId: "old-registration" }), /earlier registration/],
    ["no fee named", terms({ maxUpfrontFee: undefined, basis: "advance" }), /names no fee/],
  ])("voids an approval given for %s and asks again, saying why", (_what, t, why) => {
    const approval = { window: END, by: "bob", at: END, terms: t };
    const d = expectKind(decide(input({ block: needs({ approval }) })), "request-approval");
    expect(d.notice).toBe("terms-changed");
    expect(d.voided).toMatch(why);
  });

  it("approves automatically within the policy when an approval no longer covers and no approver can be reached", () => {
    const approval = { window: END, by: "bob", at: END, terms: terms({ durationsHours: [24] }) };
    const d = decide(input({ block: needs({ approval }), settings: { ...settings, autoApprove: true } }));
    expect(d).toMatchObject({ kind: "purchase", approval: "auto-approved", authorization: { kind: "auto-approval" } });
  });

  it("does not buy on an approval stored without terms", () => {
    const approval = { window: END, by: "bob", at: END };
    expect(expectKind(decide(input({ block: needs({ approval }) })), "request-approval").voided).toMatch(/before CBM recorded/);
  });

  it("authorizes a purchase without approval by the policy's own terms", () => {
    const d = expectKind(decide(input({ block: makeBlock({}, { requireApproval: false, maxUpfrontFee: "1200" }) })), "purchase");
    expect(d.authorization).toMatchObject({
      kind: "policy",
      terms: { durationsHours: [168], maxUpfrontFee: "1200", currency: "USD", basis: "policy" },
    });
  });

  it("does not count an approval for an earlier window", () => {
    const approval = { window: plus(END, -DAY), by: "bob", at: END };
    expect(decide(input({ block: needs({ approval }) })).kind).toBe("request-approval");
  });

  it("approves automatically when no approver can be reached", () => {
    expect(expectKind(decide(input({ block: needs(), settings: { ...settings, autoApprove: true } })), "purchase").approval).toBe(
      "auto-approved",
    );
  });

  it("sends the first notice once and then waits for the reminder", () => {
    const now = before(END, 24 * HOUR);
    const d = expectKind(decide(input({ block: needs(), now })), "request-approval");
    expect(d.notice).toBe("first");
    expect(d.nextCheckAt).toBe(iso(now.getTime() + settings.reminderIntervalMs));
    const approvalRequest = { window: END, firstSentAt: iso(now.getTime()), lastSentAt: iso(now.getTime()), count: 1, lastCallSent: false };
    const later = new Date(now.getTime() + 60_000);
    const w = expectKind(decide(input({ block: needs({ approvalRequest }), now: later })), "wait");
    expect(w).toEqual({ kind: "wait", reason: "approval-pending", until: d.nextCheckAt });
  });

  it("sends a reminder after the interval", () => {
    const now = before(END, 24 * HOUR);
    const sent = iso(now.getTime() - settings.reminderIntervalMs);
    const approvalRequest = { window: END, firstSentAt: sent, lastSentAt: sent, count: 1, lastCallSent: false };
    const d = expectKind(decide(input({ block: needs({ approvalRequest }), now })), "request-approval");
    expect(d.notice).toBe("reminder");
    expect(d.nextCheckAt).toBe(iso(now.getTime() + settings.reminderIntervalMs));
    // closer to the end, the last call (closes − 3 h) comes before the next reminder
    const late = before(END, 10 * HOUR);
    const r = expectKind(decide(input({ block: needs({ approvalRequest }), now: late })), "request-approval");
    expect(r.nextCheckAt).toBe(iso(Date.parse(END) - settings.windowClosesBeforeMs - settings.lastCallBeforeMs));
  });

  it("sends the last call once, then waits until the window closes", () => {
    const now = before(END, 3 * HOUR);
    const sent = iso(now.getTime() - HOUR);
    const approvalRequest = { window: END, firstSentAt: sent, lastSentAt: sent, count: 1, lastCallSent: false };
    const d = expectKind(decide(input({ block: needs({ approvalRequest }), now })), "request-approval");
    expect(d.notice).toBe("last-call");
    const after = { ...approvalRequest, lastSentAt: iso(now.getTime()), lastCallSent: true };
    const w = expectKind(decide(input({ block: needs({ approvalRequest: after }), now: new Date(now.getTime() + 60_000) })), "wait");
    expect(w.until).toBe(iso(Date.parse(END) - settings.windowClosesBeforeMs + 60_000));
  });

  it("makes the first notice the last call when the window opens late", () => {
    const now = before(END, 2 * HOUR);
    const d = expectKind(decide(input({ block: needs(), now })), "request-approval");
    expect(d.notice).toBe("last-call");
    expect(Date.parse(d.nextCheckAt)).toBeGreaterThan(now.getTime());
  });

  it("treats a request for another window as no request", () => {
    const approvalRequest = { window: plus(END, -DAY), firstSentAt: END, lastSentAt: END, count: 3, lastCallSent: true };
    expect(expectKind(decide(input({ block: needs({ approvalRequest }) })), "request-approval").notice).toBe("first");
  });
});

describe("engine helpers", () => {
  it("backs off exponentially up to the cap", () => {
    expect(backoffDelayMs(0, settings)).toBe(settings.backoffBaseMs);
    expect(backoffDelayMs(3, settings)).toBe(settings.backoffBaseMs * 8);
    expect(backoffDelayMs(1000, settings)).toBe(settings.backoffMaxMs);
    expect(backoffUntil(0, new Date(0), settings)).toBe(iso(settings.backoffBaseMs));
  });

  it("lists wanted durations", () => {
    const p = makeBlock({}, { extendByDays: 21, allowShorterFallback: true }).policy;
    expect(wantedDurationsDays(p, END).slice(0, 3)).toEqual([21, 14, 13]);
    const until = makeBlock({}, { extendByDays: 7, extendUntil: plus(END, 10 * DAY) }).policy;
    expect(wantedDurationsDays(until, END)).toEqual([7]);
  });

  it("stops on a block owned by another account than the one in settings", () => {
    expect(decide(input({ settings: { ...settings, accountId: "000000000000" } }))).toMatchObject({ kind: "stop", reason: "not-owned" });
  });
});
