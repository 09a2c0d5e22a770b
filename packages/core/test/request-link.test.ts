import { describe, expect, it } from "vitest";
import {
  approvableTerms,
  CapacityRequest,
  RequestLinkClaims,
  requestLinkClaimsFor,
  requestLinkExpiresAt,
  requestLinkState,
  termsForOffering,
  type LinkUse,
} from "../src/index";
import { blockOffering } from "./fixtures";

const now = new Date("2026-11-24T08:00:00.000Z");
const offering = blockOffering({ offeringId: "cb-1" });
const request = (over: Partial<CapacityRequest> = {}): CapacityRequest =>
  CapacityRequest.parse({
    id: "req-1",
    version: 3,
    status: "awaiting-approval",
    wanted: {
      instanceType: "p5.48xlarge",
      instanceCount: 1,
      durationHours: 24,
      earliestStart: "2026-11-24T00:00:00Z",
      latestStart: "2026-11-30T00:00:00Z",
      regions: ["us-east-1"],
    },
    limits: { maxUpfrontFee: "1000" },
    requireApproval: true,
    quote: offering,
    createdAt: "2026-11-24T07:00:00Z",
    updatedAt: "2026-11-24T07:00:00Z",
    createdBy: "alice",
    ...over,
  });
const claims = (expiresAt = "2026-11-24T11:30:00.000Z") =>
  requestLinkClaimsFor(termsForOffering(request(), offering), { id: "tok_12345678", to: "finance@example.com", expiresAt });

describe("request link claims", () => {
  it("bind the request and the quote's exact zone, start, duration, type, count, fee and currency", () => {
    const c = RequestLinkClaims.parse(claims());

    expect(c).toMatchObject({
      subject: "request",
      terms: {
        requestId: "req-1",
        availabilityZone: "us-east-1a",
        startDate: "2026-11-24T11:30:00.000Z",
        durationHours: 24,
        instanceType: "p5.48xlarge",
        instanceCount: 1,
        maxUpfrontFee: "755.14",
        currency: "USD",
      },
      to: "finance@example.com",
    });
  });

  it("expire after a day, or at the quoted start when that is sooner (the offering cannot be bought after it)", () => {
    expect(requestLinkExpiresAt({ startDate: "2026-12-10T11:30:00Z" }, now)).toBe("2026-11-25T08:00:00.000Z");
    expect(requestLinkExpiresAt({ startDate: "2026-11-24T11:30:00Z" }, now)).toBe("2026-11-24T11:30:00.000Z");
  });
});

describe("requestLinkState", () => {
  it("is ready with the link's terms while they are the request's current quote", () => {
    const state = requestLinkState(claims(), request({ quote: { ...offering, offeringId: "cb-2" } }), now, undefined);

    expect(state).toMatchObject({ kind: "ready", terms: { maxUpfrontFee: "755.14", offeringId: "cb-1" } });
  });

  it("is used once the link acted, whatever else changed", () => {
    const use: LinkUse = {
      tokenId: "tok_12345678",
      pk: "request:req-1",
      action: "approved",
      by: "link:x",
      at: now.toISOString(),
      expiresAt: now.toISOString(),
    };

    expect(requestLinkState(claims(), undefined, now, use).kind).toBe("used");
  });

  it("is expired from its expiry on", () => {
    expect(requestLinkState(claims(now.toISOString()), request(), now, undefined).kind).toBe("expired");
  });

  it.each([
    ["another price", { upfrontFee: "960.00" }, /960.00 USD/],
    ["another zone", { availabilityZone: "us-east-1b" }, /us-east-1b/],
    ["another start", { startDate: "2026-11-25T11:30:00.000Z" }, /2026-11-25T11:30/],
  ])("is superseded when the request was re-quoted at %s", (_what, change, newTerms) => {
    const state = requestLinkState(claims(), request({ quote: { ...offering, ...change } }), now, undefined);

    expect(state).toMatchObject({ kind: "superseded", reason: expect.stringMatching(/^the quote changed/) });
    expect(state.kind === "superseded" && state.reason).toMatch(newTerms);
  });

  it.each([
    ["cancelled", { status: "cancelled", quote: null }],
    ["fulfilled", { status: "fulfilled" }],
  ] as const)("is superseded for a %s request", (status, over) => {
    const state = requestLinkState(claims(), request(over), now, undefined);

    expect(state).toEqual({ kind: "superseded", reason: `the request is ${status}; there is nothing to approve` });
  });

  it.each([
    ["a lower maxUpfrontFee", { maxUpfrontFee: "700.00" }, /755.14 USD is above maxUpfrontFee 700.00/],
    ["a lower budget", { budget: "700.00" }, /above the budget 700.00/],
    ["a lower maxPricePerInstanceHour", { maxPricePerInstanceHour: "1.00" }, /per instance-hour is above maxPricePerInstanceHour 1.00/],
    ["another currency", { maxUpfrontFee: "1000", currency: "EUR" }, /priced in USD, not EUR/],
  ])("is superseded when the request's limits changed to %s, saying which", (_what, limits, why) => {
    const state = requestLinkState(claims(), request({ limits: { currency: "USD", ...limits } }), now, undefined);

    expect(state).toMatchObject({ kind: "superseded", reason: expect.stringMatching(/^the quoted offering no longer fits the request: /) });
    expect(state.kind === "superseded" && state.reason).toMatch(why);
  });

  it("is superseded when the quote was approved already (by the API or another link)", () => {
    const terms = termsForOffering(request(), offering);
    const approved = request({ approval: { by: "alice", at: now.toISOString(), terms } });

    expect(requestLinkState(claims(), approved, now, undefined)).toEqual({
      kind: "superseded",
      reason: "these terms were approved already by alice",
    });
  });

  it("refuses a block's link token shape (no subject) and a request's with altered terms", () => {
    expect(RequestLinkClaims.safeParse({ ...claims(), subject: undefined }).success).toBe(false);
    expect(RequestLinkClaims.safeParse({ ...claims(), terms: { ...claims().terms, maxUpfrontFee: "lots" } }).success).toBe(false);
  });
});

describe("approvableTerms", () => {
  it("is the current quote's terms, or why there is nothing to approve", () => {
    expect(approvableTerms(request())).toMatchObject({ ok: true, terms: { maxUpfrontFee: "755.14" } });
    expect(approvableTerms(request({ status: "searching", quote: null }))).toEqual({
      ok: false,
      reason: "No offering has been quoted yet; approve once the request is awaiting-approval",
    });
  });

  it("is nothing once the quote no longer fits the request's limits (the worker would not buy it)", () => {
    expect(approvableTerms(request({ limits: { maxUpfrontFee: "700.00", currency: "USD" } }))).toMatchObject({ ok: false });
  });
});
