import Decimal from "decimal.js";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  mayHaveBought,
  NO_TEAM,
  spendCsv,
  spendReport,
  type Block,
  type CapacityRequest,
  type HistoryEvent,
  type SpendInput,
} from "../src/index";
import { makeBlock } from "./fixtures";

function purchased(offeringId: string, fee: string, date: string, currencyCode = "USD"): HistoryEvent {
  return {
    PK: "blk-1",
    at: date,
    id: `h-${offeringId}`,
    type: "purchased",
    actor: "scheduler",
    message: "",
    data: { extension: { offeringId, upfrontFee: fee, currencyCode, durationHours: 24, purchaseDate: date } },
  };
}

function payment(offeringId: string, outcome: "payment-succeeded" | "payment-failed", date: string): HistoryEvent {
  return { PK: "blk-1", at: date, id: `h-${outcome}-${offeringId}`, type: outcome, actor: "scheduler", message: "", data: { offeringId } };
}

function boughtFor(over: { capacityReservationId: string; upfrontFee: string; team?: string; state?: string; currency?: string }) {
  return {
    id: `req-${over.capacityReservationId}`,
    registeredPk: over.capacityReservationId,
    tags: over.team ? { team: over.team } : undefined,
    purchase: {
      capacityReservationId: over.capacityReservationId,
      offeringId: `cb-${over.capacityReservationId}`,
      upfrontFee: over.upfrontFee,
      currency: over.currency ?? "USD",
      startDate: "2031-05-10T11:30:00.000Z",
      endDate: "2031-05-11T11:30:00.000Z",
      purchasedAt: "2031-05-09T08:00:00.000Z",
      state: over.state ?? "active",
    },
  } as unknown as CapacityRequest;
}

const input = (blocks: Block[], events: HistoryEvent[] = [], requests: CapacityRequest[] = []): SpendInput => ({
  blocks,
  histories: new Map(blocks.map((b) => [b.PK, events.map((e) => ({ ...e, PK: b.PK }))])),
  requests,
});

describe("spendReport", () => {
  const block = makeBlock({ name: "=HYPERLINK()", tags: { team: "vision" } });

  const events = [
    purchased("a", "1510.27", "2031-05-05T09:00:00.000Z"),
    purchased("b", "0.01", "2031-05-31T23:59:59.000Z"),
    purchased("c", "2000.00", "2031-06-01T00:00:00.000Z"),
    payment("c", "payment-failed", "2031-06-02T00:00:00.000Z"),
    payment("a", "payment-succeeded", "2031-05-06T00:00:00.000Z"),
  ];

  it("lists failed payments without counting them", () => {
    const report = spendReport(input([block], events));

    expect(report.purchases.map((p) => [p.offeringId, p.status])).toEqual([
      ["c", "failed"],
      ["b", "pending"],
      ["a", "paid"],
    ]);
    expect(report.months.map((m) => m.month)).toEqual(["2031-05"]);
  });

  it("books each extension to its month, block and team, exactly", () => {
    const report = spendReport(input([block], events));

    expect(report.months).toEqual([{ month: "2031-05", currency: "USD", newBlocks: "0", extensions: "1510.28", total: "1510.28" }]);
    expect(report.blocks).toMatchObject([{ pk: "blk-1", team: "vision", extensionSpend: "1510.28", total: "1510.28" }]);
    expect(report.teams).toMatchObject([{ team: "vision", currency: "USD", total: "1510.28" }]);
  });

  it("adds the block a capacity request bought to its block, month and team, with the price per instance-hour", () => {
    const abcd = makeBlock({
      PK: "abcd",
      capacityReservationId: "cr-abcd",
      instanceCount: 1,
      startDate: "2031-05-10T11:30:00.000Z",
      // The bought day, then the day's extension: EC2 moved the end.
      endDate: "2031-05-12T11:30:00.000Z",
    });
    const other = makeBlock({ PK: "other", capacityReservationId: "cr-other" });

    const report = spendReport({
      blocks: [abcd, other],
      histories: new Map([["abcd", [{ ...purchased("x", "100.10", "2031-06-01T00:00:00.000Z"), PK: "abcd" }]]]),
      requests: [boughtFor({ capacityReservationId: "cr-abcd", upfrontFee: "755.14", team: "llm" })],
    });

    expect(report.blocks[0]).toMatchObject({
      pk: "abcd",
      team: "llm",
      blockFee: "755.14",
      extensionSpend: "100.1",
      total: "855.24",
      reservedInstanceHours: 48,
      pricePerInstanceHour: "17.8175",
    });
    expect(report.blocks[1]).toMatchObject({ pk: "other", team: NO_TEAM, total: "0" });
    expect(report.months).toEqual([
      { month: "2031-05", currency: "USD", newBlocks: "755.14", extensions: "0", total: "755.14" },
      { month: "2031-06", currency: "USD", newBlocks: "0", extensions: "100.1", total: "100.1" },
    ]);
    expect(report.totals).toEqual([{ currency: "USD", total: "855.24", reservedInstanceHours: 48 }]);
  });

  it("books a block to its own team tag before the tag of the request that bought it", () => {
    const tagged = makeBlock({ PK: "tagged", capacityReservationId: "cr-tagged", tags: { team: "vision" } });

    const report = spendReport(input([tagged], [], [boughtFor({ capacityReservationId: "cr-tagged", upfrontFee: "10", team: "llm" })]));

    expect(report.teams).toMatchObject([{ team: "vision", total: "10" }]);
  });

  it("counts extensions after the budget was reset: it reports what was paid, not the budget's counter", () => {
    const reset = makeBlock({ spent: "0", extensionsPurchased: 0 });

    const report = spendReport(input([reset], [purchased("a", "42.5", "2031-05-05T09:00:00.000Z")]));

    expect(report.totals).toEqual([{ currency: "USD", total: "42.5", reservedInstanceHours: 0 }]);
  });

  it("leaves a block out of the totals when its purchase failed", () => {
    const report = spendReport(input([], [], [boughtFor({ capacityReservationId: "cr-f", upfrontFee: "99", state: "payment-failed" })]));

    expect(report.purchases).toMatchObject([{ kind: "block", status: "failed" }]);
    expect(report.totals).toEqual([]);
  });

  const gone = () =>
    spendReport(
      input(
        [makeBlock()],
        [purchased("a", "5", "2031-05-05T09:00:00.000Z", "EUR")],
        [boughtFor({ capacityReservationId: "cr-gone", upfrontFee: "7" })],
      ),
    );

  it("keeps a block bought for a request that no block manages now", () => {
    expect(gone().blocks.map((b) => [b.pk, b.currency, b.total])).toEqual([
      ["cr-gone", "USD", "7"],
      ["blk-1", "EUR", "5"],
      ["blk-1", "USD", "0"],
    ]);
  });

  it("never adds across currencies", () => {
    const report = gone();

    expect(report.totals).toMatchObject([
      { currency: "EUR", total: "5" },
      { currency: "USD", total: "7" },
    ]);
  });

  it("prices an extended block over the extension's hours only, not the original block's, whose fee CBM never saw", () => {
    const extended = makeBlock({
      PK: "blk-1",
      instanceCount: 2,
      startDate: "2031-05-01T11:30:00.000Z",
      // Six days CBM did not buy, then the one-day extension it bought.
      endDate: "2031-05-08T11:30:00.000Z",
    });

    const report = spendReport(input([extended], [purchased("x", "1510.27", "2031-05-06T09:00:00.000Z")]));

    // 1510.27 USD ÷ (24 h × 2 instances), not ÷ the 336 reserved instance-hours.
    expect(report.blocks[0]).toMatchObject({ reservedInstanceHours: 336, total: "1510.27", pricePerInstanceHour: "31.463958" });
  });

  it("gives no price per instance-hour for a block CBM bought nothing for", () => {
    const untouched = makeBlock({ instanceCount: 2, startDate: "2031-05-01T11:30:00.000Z", endDate: "2031-05-08T11:30:00.000Z" });

    const report = spendReport(input([untouched], []));

    expect(report.blocks[0]!.pricePerInstanceHour).toBeUndefined();
  });
});

describe("mayHaveBought", () => {
  it("is true once a block has bought, even after its spend was reset", () => {
    expect(mayHaveBought(makeBlock({ lastPurchaseWindow: "2031-05-06T11:30:00.000Z", spent: "0", extensionsPurchased: 0 }))).toBe(true);
  });

  it("is false for a block that never bought", () => {
    expect(mayHaveBought(makeBlock({ spent: "0", extensionsPurchased: 0 }))).toBe(false);
  });
});

describe("spendCsv", () => {
  const report = spendReport(
    input([makeBlock({ name: '=HYPERLINK("evil")' })], [purchased("a", "1510.270000", "2031-05-05T09:00:00.000Z")]),
  );

  it("writes one row per purchase with fees as stored and spreadsheet formulas neutralised", () => {
    const [header, row] = spendCsv(report, "purchases").trim().split("\r\n");

    expect(header).toBe("month,purchasedAt,pk,name,team,capacityReservationId,offeringId,durationHours,upfrontFee,currency,status,kind");
    expect(row).toContain(`,"'=HYPERLINK(""evil"")",`);
    expect(row).toContain(",1510.270000,USD,pending,extension");
  });

  it("writes one row per block, RFC 4180 line ends", () => {
    const csv = spendCsv(report, "blocks");

    expect(csv.split("\r\n")).toEqual([
      "pk,name,team,capacityReservationId,instanceType,instanceCount,reservedInstanceHours,usedInstanceHours,blockFee,extensionSpend,total,currency,pricePerInstanceHour",
      expect.stringMatching(/^blk-1,"'=HYPERLINK\(""evil""\)",\(no team\),cr-0a1b2c3d4e5f60718,.*,0,1510.27,1510.27,USD,/),
      "",
    ]);
  });
});

describe("spendReport properties", () => {
  const fee = fc
    .tuple(fc.integer({ min: 0, max: 10_000_000 }), fc.integer({ min: 0, max: 99 }))
    .map(([u, c]) => `${u}.${String(c).padStart(2, "0")}`);
  const purchase = fc.record({
    block: fc.constantFrom("a", "b", "c"),
    fee,
    currency: fc.constantFrom("USD", "EUR"),
    month: fc.constantFrom("2031-05", "2031-06"),
    fails: fc.boolean(),
    viaRequest: fc.boolean(),
  });
  type Bought = typeof purchase extends fc.Arbitrary<infer T> ? T : never;
  const teams: Record<string, string | undefined> = { a: "vision", b: "llm", c: undefined };

  function world(purchases: Bought[]): SpendInput {
    const blocks = ["a", "b", "c"].map((pk) =>
      makeBlock({ PK: pk, capacityReservationId: `cr-${pk}`, ...(teams[pk] ? { tags: { team: teams[pk] } } : {}) }),
    );
    const histories = new Map<string, HistoryEvent[]>(blocks.map((b) => [b.PK, []]));
    const requests: CapacityRequest[] = [];
    purchases.forEach((p, i) => {
      const at = `${p.month}-05T09:00:00.000Z`;
      if (p.viaRequest) {
        const r = boughtFor({
          capacityReservationId: `cr-new-${i}`,
          upfrontFee: p.fee,
          currency: p.currency,
          state: p.fails ? "payment-failed" : "active",
        });
        requests.push({ ...r, purchase: { ...r.purchase!, purchasedAt: at } });
        return;
      }
      histories.get(p.block)!.push({ ...purchased(`o${i}`, p.fee, at, p.currency), PK: p.block });
      if (p.fails) histories.get(p.block)!.push({ ...payment(`o${i}`, "payment-failed", at), PK: p.block });
    });
    return { blocks, histories, requests };
  }

  const sum = (amounts: string[]) => amounts.reduce((s, a) => s.plus(a), new Decimal(0));

  it("every view adds up to the same total per currency: the fees of the purchases that did not fail, exactly", () => {
    fc.assert(
      fc.property(fc.array(purchase, { maxLength: 25 }), (purchases) => {
        const report = spendReport(world(purchases));

        for (const currency of ["USD", "EUR"]) {
          const expected = sum(purchases.filter((p) => p.currency === currency && !p.fails).map((p) => p.fee));
          const of = (rows: { currency: string; total: string }[]) => sum(rows.filter((r) => r.currency === currency).map((r) => r.total));
          expect(of(report.months).equals(expected)).toBe(true);
          expect(of(report.blocks).equals(expected)).toBe(true);
          expect(of(report.teams).equals(expected)).toBe(true);
          expect(of(report.totals).equals(expected)).toBe(true);
        }
        expect(report.purchases).toHaveLength(purchases.length);
      }),
    );
  });

  it("splits each month and block exactly into new blocks and extensions", () => {
    fc.assert(
      fc.property(fc.array(purchase, { maxLength: 25 }), (purchases) => {
        const report = spendReport(world(purchases));

        for (const m of report.months) expect(new Decimal(m.newBlocks).plus(m.extensions).equals(m.total)).toBe(true);
        for (const b of report.blocks) expect(new Decimal(b.blockFee).plus(b.extensionSpend).equals(b.total)).toBe(true);
      }),
    );
  });
});
