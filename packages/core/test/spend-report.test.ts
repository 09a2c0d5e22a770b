import { describe, expect, it } from "vitest";
import { spendCsv, spendReport, UNTAGGED, type Block, type CapacityRequest } from "../src/index";

const block = (pk: string, over: Partial<Block> = {}): Block => ({
  PK: pk,
  capacityReservationId: `cr-0000000000000000${pk.length}`,
  region: "us-east-1",
  approved: false,
  createdAt: "2026-11-01T00:00:00.000Z",
  updatedAt: "2026-11-01T00:00:00.000Z",
  status: "waiting",
  version: 1,
  spent: "0",
  extensionsPurchased: 0,
  policy: { extendByDays: 7, lookaheadHours: 48, requireApproval: true, enabled: true, allowShorterFallback: false, currency: "USD" },
  ...over,
});

const bought = {
  purchase: {
    capacityReservationId: "cr-00000000000000004",
    upfrontFee: "755.14",
    currency: "USD",
    purchasedAt: "2026-11-24T08:00:00.000Z",
    state: "active",
  },
  tags: { team: "llm" },
} as unknown as CapacityRequest;

describe("spendReport", () => {
  it("adds block fees and extensions exactly, per month, team and block, with the price per instance-hour", () => {
    const report = spendReport({
      blocks: [
        block("abcd", { spent: "100.10", instanceCount: 1, startDate: "2026-11-24T11:30:00.000Z", endDate: "2026-11-25T11:30:00.000Z" }),
        block("other", { spent: "0.20" }),
      ],
      requests: [bought],
      extensionPurchases: [{ pk: "abcd", at: "2026-12-01T00:00:00.000Z", upfrontFee: "100.10", currency: "USD" }],
    });

    expect(report.blocks[0]).toMatchObject({
      pk: "abcd",
      team: "llm",
      blockFee: "755.14",
      extensionSpend: "100.10",
      total: "855.24",
      reservedInstanceHours: 24,
      pricePerInstanceHour: "35.635",
    });
    expect(report.blocks[1]).toMatchObject({ pk: "other", team: UNTAGGED, total: "0.2" });
    expect(report.months).toEqual([
      { month: "2026-11", currency: "USD", newBlocks: "755.14", extensions: "0", total: "755.14" },
      { month: "2026-12", currency: "USD", newBlocks: "0", extensions: "100.1", total: "100.1" },
    ]);
    expect(report.totals).toEqual([{ currency: "USD", total: "855.44", reservedInstanceHours: 24 }]);
  });

  it("writes CSV that a spreadsheet cannot run as a formula", () => {
    const csv = spendCsv(spendReport({ blocks: [block("x", { name: '=HYPERLINK("evil")' })], requests: [], extensionPurchases: [] }));

    expect(csv.split("\n")[1]).toBe(`x,"'=HYPERLINK(""evil"")",${UNTAGGED},cr-00000000000000001,,,,,0,0,0,USD,`);
  });
});
