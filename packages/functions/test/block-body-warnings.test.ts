import { describe, expect, it } from "vitest";
import { policyWarnings } from "@cbm/core";
import { END, NOW, base, ctx, waitingBlock, parseCreateBlock } from "./support/block-body";

describe("policy warnings on create", () => {
  it("warns about risky but valid settings", () => {
    const { warnings } = parseCreateBlock(
      {
        ...base,
        lookaheadHours: 6,
        extendUntil: "2025-05-01T00:00:00Z",
        maxUpfrontFee: "5000",
        budget: "1000",
        maxExtensions: 0,
        enabled: false,
        endDate: "2025-05-30T11:30:00Z",
      },
      ctx,
    );
    const text = warnings.join("\n");
    expect(text).toMatch(/lookaheadHours 6 is under 13/);
    expect(text).toMatch(/extendUntil is in the past/);
    expect(text).toMatch(/maxUpfrontFee is above budget/);
    expect(text).toMatch(/maxExtensions is 0/);
    expect(text).toMatch(/paused/);
    expect(text).toMatch(/endDate is in the past/);
  });

  it("warns when extendUntil is not after the end date", () => {
    const { warnings } = parseCreateBlock({ ...base, endDate: END, extendUntil: END }, ctx);
    expect(warnings.join("\n")).toMatch(/not after the current end date/);
  });

  it("warns on a zero budget", () => {
    const { warnings } = parseCreateBlock({ ...base, budget: "0" }, ctx);
    expect(warnings.join("\n")).toMatch(/budget is 0/);
  });
});

describe("policyWarnings", () => {
  it("is quiet for the defaults", () => {
    expect(policyWarnings(waitingBlock().policy, { now: NOW })).toEqual([]);
  });
});
