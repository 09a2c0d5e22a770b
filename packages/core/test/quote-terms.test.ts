import { describe, expect, it } from "vitest";
import { quoteTerms, type ApprovalRequestState } from "../src/index";
import { END, makeBlock } from "./fixtures";

const NOTICE: ApprovalRequestState = { window: END, firstSentAt: END, lastSentAt: END, count: 1, lastCallSent: false };

describe("quoteTerms", () => {
  it("gives the quote the last notice showed", () => {
    const block = makeBlock({
      approvalRequest: { ...NOTICE, offeringId: "ofr-1", upfrontFee: "3360.00", durationHours: 336, currencyCode: "EUR" },
    });

    expect(quoteTerms(block, END)).toEqual({ offeringId: "ofr-1", durationHours: 336, upfrontFee: "3360.00", currencyCode: "EUR" });
  });

  it("takes the policy's duration and currency for a notice that stored only the fee", () => {
    const block = makeBlock({ approvalRequest: { ...NOTICE, upfrontFee: "1680.00" } }, { extendByDays: 7, currency: "USD" });

    expect(quoteTerms(block, END)).toEqual({ durationHours: 168, upfrontFee: "1680.00", currencyCode: "USD" });
  });

  it("gives nothing while no notice quoted a fee", () => {
    const block = makeBlock({ approvalRequest: NOTICE });

    expect(quoteTerms(block, END)).toBeUndefined();
  });

  it("gives nothing for a notice about another window", () => {
    const block = makeBlock({ approvalRequest: { ...NOTICE, upfrontFee: "1680.00" } });

    expect(quoteTerms(block, "2025-06-11T11:30:00.000Z")).toBeUndefined();
  });

  it("gives the last notice's quote whatever its window when asked for none", () => {
    const block = makeBlock({ approvalRequest: { ...NOTICE, window: "2025-05-28T11:30:00.000Z", upfrontFee: "1680.00" } });

    expect(quoteTerms(block)?.upfrontFee).toBe("1680.00");
  });
});
