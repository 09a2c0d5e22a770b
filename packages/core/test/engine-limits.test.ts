import { describe, expect, it } from "vitest";
import { backoffDelayMs, backoffUntil, decide, wantedDurationsDays } from "../src/index";
import { DAY, END, HOUR, before, input, iso, makeBlock, plus, record, settings, expectKind } from "./fixtures";

// decide() within the policy's limits: disabled, extendUntil, maxExtensions, one purchase per window, the window itself.

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
