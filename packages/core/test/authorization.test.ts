import { describe, expect, it } from "vitest";
import {
  AUTO_APPROVAL_NOTE,
  Authorization,
  autoApprovalLines,
  covers,
  describeTerms,
  termsForQuote,
  termsFromPolicy,
  type AuthorizationTerms,
} from "../src/index";
import { CR, END, makeBlock, offering } from "./fixtures";

const NEXT_WINDOW = "2025-06-11T11:30:00.000Z";
const block = makeBlock({ registrationId: "reg-2" }, { extendByDays: 7, maxUpfrontFee: "1680.00" });
const quoted: AuthorizationTerms = termsForQuote(block, END, {
  offeringId: "cbe-168",
  durationHours: 168,
  upfrontFee: "1680.00",
  currencyCode: "USD",
});
const reasonFor = (terms: AuthorizationTerms, o = offering({ upfrontFee: "1680.00" })) => {
  const coverage = covers(terms, block, END, o);
  return coverage.covered ? undefined : coverage.reason;
};

describe("authorization terms", () => {
  it("binds a quote to its registration, reservation, window, duration, fee and currency", () => {
    expect(quoted).toEqual({
      registrationId: "reg-2",
      capacityReservationId: CR,
      window: END,
      durationsHours: [168],
      maxUpfrontFee: "1680.00",
      currency: "USD",
      basis: "quote",
      offeringId: "cbe-168",
    });
    expect(Authorization.parse({ kind: "approval", terms: quoted }).terms).toEqual(quoted);
  });

  it("takes the policy's durations, cap and currency as they are now", () => {
    const fallback = makeBlock({}, { extendByDays: 2, allowShorterFallback: true, maxUpfrontFee: "5000", currency: "EUR" });

    expect(termsFromPolicy(fallback, END, "advance")).toMatchObject({
      durationsHours: [48, 24],
      maxUpfrontFee: "5000",
      currency: "EUR",
      basis: "advance",
    });
  });

  it("names no fee for a policy without a cap", () => {
    expect(termsFromPolicy(makeBlock(), END, "policy").maxUpfrontFee).toBeUndefined();
  });

  it("keeps the window in canonical form", () => {
    expect(termsFromPolicy(block, "2025-06-04T11:30:00+00:00", "policy").window).toBe(END);
  });

  it("says what they allow in one sentence", () => {
    expect(describeTerms(quoted)).toBe(`one extension of ${CR} by 7 days, for at most 1680.00 USD, starting at the end date ${END}`);
  });
});

describe("covers", () => {
  it("covers the quoted offering", () => {
    expect(covers(quoted, block, END, offering({ upfrontFee: "1680.00" }))).toEqual({ covered: true });
  });

  it("covers a cheaper offering of the same terms", () => {
    expect(covers(quoted, block, END, offering({ upfrontFee: "1500" }))).toEqual({ covered: true });
  });

  it("refuses a dearer offering, naming both fees", () => {
    expect(reasonFor(quoted, offering({ upfrontFee: "3360.00" }))).toBe("the fee 3360.00 USD is above the approved 1680.00 USD");
  });

  it("refuses another duration", () => {
    expect(reasonFor(quoted, offering({ durationHours: 336, upfrontFee: "1680.00" }))).toBe(
      "the duration 14 days is not the approved 7 days",
    );
  });

  it("refuses another currency", () => {
    expect(reasonFor(quoted, offering({ upfrontFee: "1680.00", currencyCode: "EUR" }))).toBe("the currency EUR is not the approved USD");
  });

  it("refuses another window", () => {
    expect(reasonFor({ ...quoted, window: NEXT_WINDOW })).toBe(`it was given for the window ending ${NEXT_WINDOW}, not ${END}`);
  });

  it("refuses an earlier registration of the block", () => {
    expect(reasonFor({ ...quoted, registrationId: "reg-1" })).toBe("it was given for an earlier registration of this block");
  });

  it("refuses another reservation", () => {
    expect(reasonFor({ ...quoted, capacityReservationId: "cr-0ffffffffffffffff" })).toBe(
      "it was given for reservation cr-0ffffffffffffffff",
    );
  });

  it("lets a policy without a cap allow any fee", () => {
    const uncapped = termsFromPolicy(makeBlock({ registrationId: "reg-2" }), END, "policy");

    expect(covers(uncapped, block, END, offering({ upfrontFee: "99999" }))).toEqual({ covered: true });
  });

  it("refuses an approval in advance that names no fee", () => {
    const advance = termsFromPolicy(makeBlock({ registrationId: "reg-2" }), END, "advance");

    expect(reasonFor(advance)).toMatch(/^it was given before any price was quoted/);
  });
});

describe("automatic approval", () => {
  it("adds the note that no one was asked to a notice of an automatic approval", () => {
    expect(autoApprovalLines({ kind: "auto-approval" })).toEqual(["", AUTO_APPROVAL_NOTE]);
  });

  it("adds nothing to a notice of a person's approval", () => {
    expect(autoApprovalLines({ kind: "approval" })).toEqual([]);
  });
});
