import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { AT_RISK_HORIZON_MS, countAtRisk, isAtRisk } from "../src/index";
import { END, HOUR, before, makeBlock } from "./fixtures";

const inside = before(END, 23 * HOUR);

describe("isAtRisk", () => {
  it("is true for an enabled block ending within 24 h with no paid extension, whatever it is doing", () => {
    for (const status of [
      "awaiting-approval",
      "payment-pending",
      "payment-failed",
      "no-offering",
      "price-above-cap",
      "budget-exhausted",
      "error",
      "window-closed",
      "not-owned",
    ] as const) {
      expect(isAtRisk(makeBlock({ status }), inside), status).toBe(true);
    }
  });

  it("is false outside the horizon: more than 24 h left, or the end has passed", () => {
    expect(isAtRisk(makeBlock(), before(END, AT_RISK_HORIZON_MS + 1))).toBe(false);
    expect(isAtRisk(makeBlock(), before(END, AT_RISK_HORIZON_MS))).toBe(true);
    expect(isAtRisk(makeBlock(), new Date(END))).toBe(false);
    expect(isAtRisk(makeBlock(), before(END, -1))).toBe(false);
    expect(isAtRisk(makeBlock(), before(END, 30 * HOUR), 48 * HOUR)).toBe(true);
  });

  it("is false when the policy says not to extend: paused, extendUntil or maxExtensions reached, denied", () => {
    expect(isAtRisk(makeBlock({}, { enabled: false }), inside)).toBe(false);
    expect(isAtRisk(makeBlock({}, { extendUntil: END }), inside)).toBe(false);
    expect(isAtRisk(makeBlock({}, { extendUntil: "2025-06-05T11:30:00.000Z" }), inside)).toBe(true);
    expect(isAtRisk(makeBlock({ extensionsPurchased: 2 }, { maxExtensions: 2 }), inside)).toBe(false);
    expect(isAtRisk(makeBlock({ extensionsPurchased: 1 }, { maxExtensions: 2 }), inside)).toBe(true);
    const verdict = { window: END, by: "alice", at: "2025-06-03T00:00:00.000Z" };
    expect(isAtRisk(makeBlock({ status: "denied", denial: verdict }), inside)).toBe(false);
    expect(isAtRisk(makeBlock({ status: "expired" }), inside)).toBe(false);
  });

  it("is false without a known end date", () => {
    expect(isAtRisk(makeBlock({ endDate: undefined }), inside)).toBe(false);
  });

  it("never flags a block more than the horizon away or already ended (property)", () => {
    fc.assert(
      fc.property(fc.integer({ min: -30 * 24, max: 60 * 24 }), (hoursLeft) => {
        const at = before(END, hoursLeft * HOUR);
        const expected = hoursLeft > 0 && hoursLeft <= 24;
        expect(isAtRisk(makeBlock(), at)).toBe(expected);
      }),
    );
  });

  it("counts the blocks at risk", () => {
    const blocks = [makeBlock(), makeBlock({ PK: "b" }, { enabled: false }), makeBlock({ PK: "c" })];
    expect(countAtRisk(blocks, inside)).toBe(2);
    expect(countAtRisk([], inside)).toBe(0);
  });
});
