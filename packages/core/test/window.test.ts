import { describe, expect, it } from "vitest";
import { canonicalIso, extensionWindow, isEndAt1130Utc, isWindowOpen, isoPlus, paymentDeadline, sameInstant, toMs } from "../src/index";
import { DAY, END, HOUR, settings } from "./fixtures";

describe("extensionWindow", () => {
  it("opens at the lookahead and closes at the safety margin", () => {
    const w = extensionWindow(END, { lookaheadHours: 48 }, settings);
    expect(w).toEqual({
      window: END,
      opensAt: "2025-06-02T11:30:00.000Z",
      closesAt: "2025-06-04T10:25:00.000Z",
      ec2OpensAt: new Date(Date.parse(END) - 56 * DAY).toISOString(),
      ec2ClosesAt: "2025-06-04T10:30:00.000Z",
    });
  });

  it("never opens before EC2's 56 days nor closes after EC2's 1 hour", () => {
    const w = extensionWindow(
      "2025-06-04T11:30:00Z",
      { lookaheadHours: 57 * 24 },
      { windowOpensBeforeMs: 56 * DAY, windowClosesBeforeMs: 10 * 60_000 },
    );
    expect(w.opensAt).toBe(w.ec2OpensAt);
    expect(w.closesAt).toBe(w.ec2ClosesAt);
  });

  it("tells whether now is inside", () => {
    const w = extensionWindow(END, { lookaheadHours: 48 }, settings);
    expect(isWindowOpen(w, new Date(toMs(END) - 24 * HOUR))).toBe(true);
    expect(isWindowOpen(w, new Date(toMs(END) - 49 * HOUR))).toBe(false);
    expect(isWindowOpen(w, new Date(toMs(END) - HOUR))).toBe(false);
  });
});

describe("time helpers", () => {
  it("recognises the 11:30 UTC end", () => {
    expect(isEndAt1130Utc("2025-06-04T11:30:00Z")).toBe(true);
    expect(isEndAt1130Utc("2025-06-04T13:30:00+02:00")).toBe(true);
    expect(isEndAt1130Utc("2025-06-04T11:30:01Z")).toBe(false);
    expect(isEndAt1130Utc("2025-06-04T23:59:59Z")).toBe(false);
  });

  it("compares instants, not strings", () => {
    expect(sameInstant("2025-06-04T11:30:00Z", END)).toBe(true);
    expect(sameInstant(undefined, END)).toBe(false);
    expect(sameInstant(END, null)).toBe(false);
    expect(canonicalIso("2025-06-04T13:30:00+02:00")).toBe(END);
    expect(isoPlus(END, HOUR)).toBe("2025-06-04T12:30:00.000Z");
    expect(() => toMs("nope")).toThrow(RangeError);
  });

  it("computes EC2's payment deadline: 12 h after purchase or 35 min before the end", () => {
    expect(paymentDeadline(END, "2025-06-01T00:00:00Z")).toBe("2025-06-01T12:00:00.000Z");
    expect(paymentDeadline(END, "2025-06-04T05:00:00Z")).toBe("2025-06-04T10:55:00.000Z");
  });
});
