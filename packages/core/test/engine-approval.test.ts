import { describe, expect, it } from "vitest";
import { decide, type AuthorizationTerms } from "../src/index";
import { CR, DAY, END, HOUR, before, input, iso, makeBlock, plus, settings, expectKind } from "./fixtures";

// decide() with approvals: terms that cover a purchase, automatic approval, notices and reminders.

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
