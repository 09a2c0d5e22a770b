import { describe, expect, it } from "vitest";
import { decide } from "../src/index";
import { DAY, END, HOUR, input, iso, makeBlock, offering, offeringsMap, plus, settings, expectKind } from "./fixtures";

// decide() choosing an offering: durations to ask for, the cheapest within the cap, budget and currency.

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
