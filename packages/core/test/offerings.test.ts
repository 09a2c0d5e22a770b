import { describe, expect, it } from "vitest";
import { OfferingSearch, pricePerInstanceHour, rankOfferings } from "../src/index";
import { blockOffering } from "./fixtures";

const offering = blockOffering;

describe("pricePerInstanceHour", () => {
  it("divides the fee by instance-hours exactly, rounded half-up to 6 decimals", () => {
    expect(pricePerInstanceHour("3020.54", 2, 48)).toBe("31.463958");
    expect(pricePerInstanceHour("240", 1, 24)).toBe("10");
    expect(pricePerInstanceHour("0.000001", 1, 24)).toBe("0");
  });

  it("counts the extra minutes of a block that starts at an odd time", () => {
    // 19 h 17 min = 1157 minutes; 283 × 60 / 1157 = 14.67588…
    expect(pricePerInstanceHour("283", 1, 19, 17)).toBe("14.675886");
  });
});

describe("rankOfferings", () => {
  it("puts the lowest total fee first, then the earliest start, then region", () => {
    const ranked = rankOfferings([
      offering({ offeringId: "cb-3", upfrontFee: "900" }),
      offering({ offeringId: "cb-2", upfrontFee: "755.14", region: "us-west-2", availabilityZone: "us-west-2a" }),
      offering({ offeringId: "cb-1", upfrontFee: "755.14" }),
      offering({ offeringId: "cb-0", upfrontFee: "755.14", startDate: "2026-11-23T11:30:00.000Z" }),
    ]);

    expect(ranked.map((o) => o.offeringId)).toEqual(["cb-0", "cb-1", "cb-2", "cb-3"]);
    expect(ranked[3]!.pricePerInstanceHour).toBe("37.5");
  });
});

describe("OfferingSearch", () => {
  it("accepts ladder durations only and an end after the start", () => {
    const base = { instanceType: "p5.48xlarge", instanceCount: 2, regions: ["us-east-1"] };

    expect(OfferingSearch.safeParse({ ...base, durationHours: 48 }).success).toBe(true);
    expect(OfferingSearch.safeParse({ ...base, durationHours: 36 }).success).toBe(false);
    expect(OfferingSearch.safeParse({ ...base, durationHours: 24, instanceCount: 65 }).success).toBe(false);
    expect(
      OfferingSearch.safeParse({ ...base, durationHours: 24, earliestStart: "2026-12-02T00:00:00Z", latestEnd: "2026-12-01T00:00:00Z" })
        .success,
    ).toBe(false);
  });
});
